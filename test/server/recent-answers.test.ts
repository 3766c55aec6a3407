import { describe, expect, it, vi } from 'vitest';
import { RecentAnswers } from '../../server/recent-answers';

describe('RecentAnswers', () => {
  it('computes a key once while it is among the last `size`, and always when the key is too long', () => {
    const answers = new RecentAnswers<string>(2, 5);
    const compute = vi.fn((s: string) => s.toUpperCase());
    const get = (s: string) => answers.get(s, () => compute(s));
    expect([get('a'), get('a'), get('b')]).toEqual(['A', 'A', 'B']);
    expect(compute).toHaveBeenCalledTimes(2);
    get('c'); // evicts "a", the oldest
    get('b');
    expect(compute).toHaveBeenCalledTimes(3);
    get('a');
    expect(compute).toHaveBeenCalledTimes(4);
    get('toolong');
    get('toolong');
    expect(compute).toHaveBeenCalledTimes(6);
  });
});
