import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UpstreamError } from '../../../../server/errors';
import { LocalRateLimiter } from '../../../../server/integrations/ghl/ghl-rate-limiter';

/** Starts `count` acquires on `key` and records the order in which they are granted. */
function acquireMany(limiter: LocalRateLimiter, key: string, count: number, granted: string[]) {
  return Array.from({ length: count }, (_, i) =>
    limiter.acquire(key).then(() => {
      granted.push(`${key}${i}`);
    }),
  );
}

/** Reports `count` answers for `key`, as the client does after each call. */
function observeMany(limiter: LocalRateLimiter, key: string, count: number, headers: Record<string, unknown> = {}) {
  for (let i = 0; i < count; i++) limiter.observe(key, { headers, status: 200 });
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe('LocalRateLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('acquire › under the limit › grants at once', async () => {
    const limiter = new LocalRateLimiter({ max: 5, windowMs: 1000, safetyMargin: 0 });
    const granted: string[] = [];

    acquireMany(limiter, 'loc', 5, granted);
    await flush();

    expect(granted).toHaveLength(5);
  });

  it('acquire › window full › waits until the oldest answered request leaves the window', async () => {
    const limiter = new LocalRateLimiter({ max: 3, windowMs: 1000, safetyMargin: 0 });
    const granted: string[] = [];
    acquireMany(limiter, 'loc', 3, granted);
    await flush();
    observeMany(limiter, 'loc', 3);

    void limiter.acquire('loc').then(() => granted.push('fourth'));
    await vi.advanceTimersByTimeAsync(999);
    const beforeWindowEnd = [...granted];
    await vi.advanceTimersByTimeAsync(1);

    expect(beforeWindowEnd).not.toContain('fourth');
    expect(granted).toContain('fourth');
  });

  it('acquire › many waiters on one key › granted in FIFO order', async () => {
    const limiter = new LocalRateLimiter({ max: 2, windowMs: 100, safetyMargin: 0 });
    const granted: string[] = [];

    const all = acquireMany(limiter, 'loc', 7, granted);
    for (let round = 0; round < 4; round++) {
      await flush();
      observeMany(limiter, 'loc', 2);
      await vi.advanceTimersByTimeAsync(100);
    }
    await Promise.all(all);

    expect(granted).toEqual(['loc0', 'loc1', 'loc2', 'loc3', 'loc4', 'loc5', 'loc6']);
  });

  it('acquire › one key saturated › another key is granted at once', async () => {
    const limiter = new LocalRateLimiter({ max: 3, windowMs: 10_000, safetyMargin: 0 });
    const granted: string[] = [];
    acquireMany(limiter, 'a', 10, granted);
    await flush();

    acquireMany(limiter, 'b', 3, granted);
    await flush();

    expect(granted.filter((g) => g.startsWith('a'))).toHaveLength(3);
    expect(granted.filter((g) => g.startsWith('b'))).toEqual(['b0', 'b1', 'b2']);
    expect(limiter.inspect('a').queued).toBe(7);
  });

  it('safety margin › default › keeps 2% (at least one request) in reserve', async () => {
    const big = new LocalRateLimiter({ max: 100, windowMs: 10_000 });
    const small = new LocalRateLimiter({ max: 20, windowMs: 500 });
    const granted: string[] = [];

    acquireMany(big, 'big', 100, granted);
    acquireMany(small, 'small', 20, granted);
    await flush();

    expect(granted.filter((g) => g.startsWith('big'))).toHaveLength(98);
    expect(granted.filter((g) => g.startsWith('small'))).toHaveLength(19);
  });

  it('in-flight request › not yet answered › keeps counting until observed, then for one window', async () => {
    const limiter = new LocalRateLimiter({ max: 1, windowMs: 1000, safetyMargin: 0 });
    const granted: string[] = [];
    acquireMany(limiter, 'loc', 2, granted);
    await vi.advanceTimersByTimeAsync(5000);
    const whileInFlight = [...granted];

    limiter.observe('loc', { headers: {}, status: 200 });
    await vi.advanceTimersByTimeAsync(999);
    const justBefore = [...granted];
    await vi.advanceTimersByTimeAsync(1);

    expect(whileInFlight).toEqual(['loc0']);
    expect(justBefore).toEqual(['loc0']);
    expect(granted).toEqual(['loc0', 'loc1']);
  });

  it('in-flight request › never observed › stops counting after maxInFlightMs plus a window', async () => {
    const limiter = new LocalRateLimiter({ max: 1, windowMs: 1000, safetyMargin: 0, maxInFlightMs: 3000 });
    const granted: string[] = [];
    acquireMany(limiter, 'loc', 2, granted);

    await vi.advanceTimersByTimeAsync(3999);
    const before = [...granted];
    await vi.advanceTimersByTimeAsync(1);

    expect(before).toEqual(['loc0']);
    expect(granted).toEqual(['loc0', 'loc1']);
  });

  it('observe › X-RateLimit-Remaining 0 › blocks the key for the reported interval', async () => {
    const limiter = new LocalRateLimiter({ max: 100, windowMs: 3000 });
    const granted: string[] = [];
    await limiter.acquire('loc');
    limiter.observe('loc', {
      status: 200,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-max': '100', 'x-ratelimit-interval-milliseconds': '3000' },
    });

    void limiter.acquire('loc').then(() => granted.push('next'));
    void limiter.acquire('other').then(() => granted.push('other'));
    await vi.advanceTimersByTimeAsync(2999);
    const before = [...granted];
    await vi.advanceTimersByTimeAsync(1);

    expect(before).toEqual(['other']);
    expect(granted).toEqual(['other', 'next']);
  });

  it('observe › a 429 without headers › blocks the key for one configured window', async () => {
    const limiter = new LocalRateLimiter({ max: 100, windowMs: 2000 });
    const granted: string[] = [];
    await limiter.acquire('loc');
    limiter.observe('loc', { status: 429, headers: {} });

    void limiter.acquire('loc').then(() => granted.push('next'));
    await vi.advanceTimersByTimeAsync(1999);
    const before = [...granted];
    await vi.advanceTimersByTimeAsync(1);

    expect(before).toEqual([]);
    expect(granted).toEqual(['next']);
  });

  it('observe › daily budget spent › acquire rejects rate_limited until the next UTC midnight', async () => {
    vi.setSystemTime(new Date('2026-03-01T22:00:00Z'));
    const limiter = new LocalRateLimiter({ max: 100, windowMs: 10_000 });
    await limiter.acquire('loc');
    limiter.observe('loc', { status: 429, headers: { 'X-RateLimit-Daily-Remaining': '0' } });

    const err = await limiter.acquire('loc').catch((e: unknown) => e);
    const other = limiter.acquire('other');

    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe('rate_limited');
    expect((err as UpstreamError).retryAfterMs).toBe(2 * 3_600_000);
    await expect(other).resolves.toBeUndefined();
  });

  it('observe › GHL counts more than we sent › the difference fills the local window', async () => {
    const limiter = new LocalRateLimiter({ max: 10, windowMs: 1000, safetyMargin: 0 });
    const granted: string[] = [];
    limiter.observe('loc', { status: 200, headers: { 'X-RateLimit-Max': '10', 'X-RateLimit-Remaining': '2' } });

    acquireMany(limiter, 'loc', 3, granted);
    await flush();
    const first = [...granted];
    await vi.advanceTimersByTimeAsync(1000);

    expect(first).toEqual(['loc0', 'loc1']);
    expect(granted).toEqual(['loc0', 'loc1', 'loc2']);
  });

  it('observe › GHL reports a smaller max › the local capacity follows it', async () => {
    const limiter = new LocalRateLimiter({ max: 100, windowMs: 1000 });
    const granted: string[] = [];
    limiter.observe('loc', { status: 200, headers: { 'X-RateLimit-Max': '5' } });

    acquireMany(limiter, 'loc', 6, granted);
    await flush();

    expect(granted).toHaveLength(4);
  });

  it('idle › all waiters served › no timer is left running', async () => {
    const limiter = new LocalRateLimiter({ max: 2, windowMs: 500, safetyMargin: 0 });
    const granted: string[] = [];
    const all = acquireMany(limiter, 'loc', 5, granted);
    for (let i = 0; i < 3; i++) {
      await flush();
      observeMany(limiter, 'loc', 2);
      await vi.advanceTimersByTimeAsync(500);
    }
    await Promise.all(all);
    limiter.observe('loc', { headers: {}, status: 200 });

    expect(vi.getTimerCount()).toBe(0);
    expect(limiter.inspect('loc').timerActive).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    await limiter.acquire('loc');
    limiter.observe('loc', { headers: {}, status: 200 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('constructor › max below one › throws', () => {
    expect(() => new LocalRateLimiter({ max: 0, windowMs: 1000 })).toThrow(/max/);
  });
});
