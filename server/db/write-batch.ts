import { setImmediate as nextTurn } from 'node:timers';

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: the items added within one turn of the event loop are written by one `writeMany` call, in the
 * order they were added, at most `maxItems` per call. Under load, concurrent webhooks share one multi-row
 * statement, so each pays a share of the statement's compile and commit instead of the whole. Alone, an item
 * waits one `setImmediate`. Each caller gets its own result; if a shared write fails, its items are written one
 * by one, so one bad item cannot fail the others.
 */
export class WriteBatch<T, R> {
  private waiting: Waiting<T, R>[] = [];

  constructor(
    private readonly writeMany: (items: T[]) => Promise<R[]>,
    private readonly maxItems = 100,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      // node:timers' own function, not the global one: tests that fake the global timers must not stall writes.
      if (this.waiting.push({ item, resolve, reject }) === 1) nextTurn(() => this.flush());
    });
  }

  private flush(): void {
    const taken = this.waiting;
    this.waiting = [];
    for (let i = 0; i < taken.length; i += this.maxItems) void this.write(taken.slice(i, i + this.maxItems));
  }

  private async write(group: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.writeMany(group.map((w) => w.item));
      group.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      if (group.length === 1) {
        group[0]!.reject(err);
        return;
      }
      for (const w of group) {
        try {
          w.resolve((await this.writeMany([w.item]))[0]!);
        } catch (alone) {
          w.reject(alone);
        }
      }
    }
  }
}
