import { afterEach, describe, expect, it, vi } from 'vitest';
import { WriteBatch } from '../../../server/db/write-batch';

describe('WriteBatch', () => {
  afterEach(() => vi.useRealTimers());

  it('items added in one turn › one write per maxItems, in order, each caller its own result', async () => {
    const calls: number[][] = [];
    const batch = new WriteBatch(async (items: number[]) => {
      calls.push(items);
      return items.map((n) => n * 10);
    }, 3);
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => batch.add(n)));
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(calls).toEqual([[1, 2, 3], [4, 5]]);
    expect(await batch.add(6)).toBe(60);
    expect(calls).toHaveLength(3);
  });

  it('global timers faked by a test › writes still happen', async () => {
    vi.useFakeTimers();
    const batch = new WriteBatch(async (items: string[]) => items.map((s) => s.toUpperCase()));
    expect(await batch.add('a')).toBe('A');
  });

  it('the shared write fails for everyone › each caller gets the failure of its own write', async () => {
    const batch = new WriteBatch(async (items: string[]) => {
      if (items.length > 1) throw new Error('database is locked');
      throw new Error(`locked: ${items[0]}`);
    });
    const results = await Promise.allSettled(['a', 'b'].map((s) => batch.add(s)));
    expect(results).toEqual([
      { status: 'rejected', reason: new Error('locked: a') },
      { status: 'rejected', reason: new Error('locked: b') },
    ]);
  });
});
