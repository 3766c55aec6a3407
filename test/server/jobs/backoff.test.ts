import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../server/jobs/backoff';

describe('backoffDelay', () => {
  it('backoffDelay › any attempt and random draw › within [0, min(cap, base·2^(attempt−1)))', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        const ceiling = Math.min(15 * 60_000, 1000 * 2 ** (attempt - 1));
        const d = backoffDelay(attempt, { random: () => r });
        return Number.isInteger(d) && d >= 0 && d < ceiling;
      }),
    );
  });

  it('backoffDelay › highest draw › grows exponentially until the cap', () => {
    const top = (attempt: number) => backoffDelay(attempt, { baseMs: 100, capMs: 5_000, random: () => 0.999999 });

    expect([1, 2, 3, 4, 5, 6, 7, 20, 5000].map(top)).toEqual([99, 199, 399, 799, 1599, 3199, 4999, 4999, 4999]);
  });

  it('backoffDelay › lowest draw › zero (full jitter, not equal jitter)', () => {
    expect(backoffDelay(8, { random: () => 0 })).toBe(0);
  });

  it('backoffDelay › nonsense attempt numbers › treated as the first retry', () => {
    const opts = { random: () => 0.5 };

    expect([0, -3, Number.NaN, Number.POSITIVE_INFINITY].map((a) => backoffDelay(a, opts))).toEqual([
      500, 500, 500, 500,
    ]);
  });
});
