/**
 * Remembers the last `size` answers of a pure computation by key, the oldest going first. For the small, hot
 * inputs of webhook normalising (payload keys, phone numbers) that come back with every event of a sender. Keys
 * longer than `maxKeyLength` are computed every time and never held.
 */
export class RecentAnswers<R> {
  private readonly answers = new Map<string, R>();

  constructor(
    private readonly size: number,
    private readonly maxKeyLength = 64,
  ) {}

  get(key: string, compute: () => R): R {
    if (key.length > this.maxKeyLength) return compute();
    let answer = this.answers.get(key);
    if (answer === undefined) {
      answer = compute();
      if (this.answers.size >= this.size) this.answers.delete(this.answers.keys().next().value!);
      this.answers.set(key, answer);
    }
    return answer;
  }
}
