import { randomUUID } from 'node:crypto';
import type { RateLimitRepository } from '../../db/repositories/rate-limit-repository';
import { UpstreamError } from '../../errors';
import type { Logger } from '../../logger';
import { parseRateLimitHeaders } from './ghl-rate-limit-headers';
import type { GhlRateLimiter, LocalRateLimiterOptions } from './ghl-rate-limiter';

export interface SharedRateLimiterOptions extends LocalRateLimiterOptions {
  repository: RateLimitRepository;
  /**
   * How often a waiting key looks at the database again: other processes' answers (a call settled, a block after
   * a 429) reach us only through it (default windowMs / 10, between 5 ms and 1 s).
   */
  pollMs?: number;
  /** Deletes the expired calls of every key this often (keys nobody calls any more; default 5 min). */
  purgeIntervalMs?: number;
  /** Receives failures of the writes `observe` makes in the background. */
  logger?: Pick<Logger, 'warn'>;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

interface KeyState {
  queue: Waiter[];
  /** A database attempt is running for this key. */
  busy: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Our granted calls not yet answered, oldest first (observe settles the oldest, as the local limiter does). */
  inFlight: string[];
  /** Calls counted in the window right after our last grant: GHL reporting more means someone else spends it. */
  lastCount: number;
  /** Limits GHL reported, as last read from or written to the database. */
  reportedMax: number | null;
  windowMs: number | null;
  /** The chain of background writes from observe(), so they land in order. */
  writes: Promise<void>;
}

interface Attempt {
  granted: string[];
  wanted: number;
  blockedUntil: number;
  wakeAt: number;
}

/**
 * The GHL rate limiter for several processes (issue 7 scale-out): the same semantics as `LocalRateLimiter` — a
 * sliding window of `max` per `windowMs` per key minus the safety margin, FIFO per key within a process, blocks
 * from 429s and X-RateLimit-* headers, fail-fast on long blocks — with the window's call log and the blocks kept
 * in the database, so all processes together stay inside GHL's budget (ghl-platform.md §5). One short
 * transaction per grant batch; the answer of a call is written back by `observe` without holding anyone up.
 * Processes' clocks must agree (NTP): a skew shifts their windows, which the safety margin absorbs while small.
 */
export class SharedRateLimiter implements GhlRateLimiter {
  private readonly keys = new Map<string, KeyState>();
  private readonly repo: RateLimitRepository;
  private readonly now: () => number;
  private readonly margin: number;
  private readonly baseCapacity: number;
  private readonly maxBlockWaitMs: number;
  private readonly maxInFlightMs: number;
  private readonly pollMs: number;
  private readonly purgeIntervalMs: number;
  private readonly pending = new Set<Promise<void>>();
  private lastGlobalPurgeAt = 0;
  /** When this process last deleted a key's expired calls; outlives the key's state, emptied by the global purge. */
  private readonly keyPurgedAt = new Map<string, number>();

  constructor(private readonly opts: SharedRateLimiterOptions) {
    if (!(opts.max >= 1) || !(opts.windowMs > 0)) throw new Error('SharedRateLimiter needs max ≥ 1 and windowMs > 0');
    this.repo = opts.repository;
    this.now = opts.now ?? Date.now;
    this.margin = opts.safetyMargin ?? 0.02;
    this.baseCapacity = this.capacityFor(opts.max);
    this.maxBlockWaitMs = opts.maxBlockWaitMs ?? 60_000;
    this.maxInFlightMs = opts.maxInFlightMs ?? 120_000;
    this.pollMs = opts.pollMs ?? Math.min(1000, Math.max(5, Math.round(opts.windowMs / 10)));
    this.purgeIntervalMs = opts.purgeIntervalMs ?? 300_000;
  }

  acquire(key: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const state = this.state(key);
      state.queue.push({ resolve, reject });
      // Behind a timer the newcomer waits its turn; the attempt that timer makes serves the queue in order.
      if (!state.timer) this.pump(key, state);
    });
  }

  observe(key: string, info: { headers: Record<string, unknown>; status: number }): void {
    const state = this.state(key);
    const now = this.now();
    const id = state.inFlight.shift();
    const rl = parseRateLimitHeaders(info.headers, now);
    const windowMs = Math.max(this.opts.windowMs, state.windowMs ?? 0, rl.intervalMs ?? 0);

    let blockUntil = 0;
    if (info.status === 429 || rl.remaining === 0) blockUntil = now + (rl.intervalMs ?? windowMs);
    if (rl.dailyRemaining === 0) blockUntil = Math.max(blockUntil, rl.dailyResetAt);
    const learnMax = rl.max !== undefined && rl.max >= 1 && rl.max !== state.reportedMax ? rl.max : undefined;
    const learnWindow = rl.intervalMs !== undefined && rl.intervalMs > (state.windowMs ?? this.opts.windowMs);
    if (learnMax !== undefined) state.reportedMax = learnMax;
    if (learnWindow) state.windowMs = rl.intervalMs!;
    // GHL's count can exceed ours when something else spends the same budget (another app install sharing the
    // client id, a process that lost its rows). Checked against our last count first to spare a transaction.
    const remoteUsed = rl.remaining === undefined ? 0 : (rl.max ?? this.opts.max) - rl.remaining;
    const reconcile = remoteUsed > state.lastCount;

    this.background(key, state, async () => {
      if (id) await this.repo.settle(id, now, now + windowMs);
      if (learnMax !== undefined || learnWindow) {
        await this.repo.learn(key, { reportedMax: learnMax, windowMs: learnWindow ? rl.intervalMs : undefined }, now);
      }
      if (blockUntil > now) await this.repo.block(key, blockUntil, now);
      if (reconcile) {
        await this.repo.withKeyLock(key, async (tx) => {
          const live = await tx.liveCalls(now);
          const missing = remoteUsed - live.length;
          const calls = Array.from({ length: Math.max(0, missing) }, () => ({
            id: randomUUID(),
            at: now,
            expiresAt: now + windowMs,
            settled: true,
          }));
          await tx.insertCalls(calls);
          state.lastCount = Math.max(live.length, remoteUsed);
        });
      }
      // A block must reach this process's waiters now (a long one fails them fast); others see it at their next look.
      if (state.queue.length > 0 && (blockUntil > now || reconcile)) this.pump(key, state, true);
    });
  }

  /** Resolves once the writes `observe` started so far have landed (tests, graceful shutdown). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** What the limiter holds for `key`, here and in the database (metrics, tests). */
  async inspect(key: string): Promise<{ queued: number; inFlight: number; inWindow: number; blockedUntil: number }> {
    const state = this.keys.get(key);
    const shared = await this.repo.snapshot(key, this.now());
    return { queued: state?.queue.length ?? 0, inFlight: state?.inFlight.length ?? 0, ...shared };
  }

  /** Number of keys with state kept in this process (idle keys are forgotten). */
  get size(): number {
    return this.keys.size;
  }

  private capacityFor(max: number): number {
    const reserve = this.margin <= 0 ? 0 : Math.max(1, Math.ceil(max * this.margin));
    return Math.max(1, max - reserve);
  }

  private state(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = {
        queue: [],
        busy: false,
        timer: undefined,
        inFlight: [],
        lastCount: 0,
        reportedMax: null,
        windowMs: null,
        writes: Promise.resolve(),
      };
      this.keys.set(key, state);
    }
    return state;
  }

  private background(key: string, state: KeyState, write: () => Promise<void>): void {
    const done = state.writes
      .then(write)
      .catch((err: unknown) => {
        // observe() cannot fail its caller (the GHL answer is already in hand): the call stays counted as in
        // flight, which only errs on the safe side until it expires.
        this.opts.logger?.warn({ err, key }, 'ghl rate limiter: shared state write failed');
      })
      .finally(() => {
        this.pending.delete(done);
        this.forgetIfIdle(key, state);
      });
    state.writes = done;
    this.pending.add(done);
  }

  private pump(key: string, state: KeyState, force = false): void {
    if (state.busy) return;
    if (state.timer) {
      if (!force) return;
      clearTimeout(state.timer);
      state.timer = undefined;
    }
    if (state.queue.length === 0) return this.forgetIfIdle(key, state);
    state.busy = true;
    void this.serve(key, state).finally(() => {
      state.busy = false;
      // A granted caller's continuation may have queued again before this ran, and found us busy.
      if (state.queue.length > 0 && !state.timer) this.pump(key, state);
      else this.forgetIfIdle(key, state);
    });
  }

  /** Grants queued waiters in order, one transaction per batch, until the queue is empty or must wait. */
  private async serve(key: string, state: KeyState): Promise<void> {
    while (state.queue.length > 0) {
      let attempt: Attempt;
      try {
        attempt = await this.attempt(key, state);
      } catch (err) {
        for (const w of state.queue.splice(0)) w.reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      for (const id of attempt.granted) {
        state.inFlight.push(id);
        state.queue.shift()?.resolve();
      }
      if (state.queue.length === 0 || attempt.granted.length === attempt.wanted) continue;

      const now = this.now();
      if (attempt.blockedUntil - now > this.maxBlockWaitMs) {
        const retryAfterMs = attempt.blockedUntil - now;
        for (const w of state.queue.splice(0)) {
          w.reject(
            new UpstreamError('ghl', 'rate_limited', `GHL rate limit for ${key} exhausted; retry in ${retryAfterMs} ms`, {
              retryAfterMs,
              status: 429,
            }),
          );
        }
        return;
      }
      this.wakeAt(key, state, attempt.wakeAt);
      return;
    }
  }

  private async attempt(key: string, state: KeyState): Promise<Attempt> {
    const now = this.now();
    if (now - this.lastGlobalPurgeAt >= this.purgeIntervalMs) {
      this.lastGlobalPurgeAt = now;
      this.keyPurgedAt.clear();
      await this.repo.purgeExpired(now);
    }
    const wanted = state.queue.length;
    // Expired rows are skipped by the count anyway; deleting them once per window keeps the scan short.
    const purgeKey = now - (this.keyPurgedAt.get(key) ?? now) >= (state.windowMs ?? this.opts.windowMs);
    if (purgeKey || !this.keyPurgedAt.has(key)) this.keyPurgedAt.set(key, now);

    return this.repo.withKeyLock(key, async (tx) => {
      if (purgeKey) await tx.purgeExpired(now);
      const shared = await tx.readKey();
      state.reportedMax = shared.reportedMax;
      state.windowMs = shared.windowMs;
      if (shared.blockedUntil > now) {
        return { granted: [], wanted, blockedUntil: shared.blockedUntil, wakeAt: this.nextLook(now, shared.blockedUntil) };
      }

      const capacity =
        shared.reportedMax === null ? this.baseCapacity : Math.min(this.baseCapacity, this.capacityFor(shared.reportedMax));
      const windowMs = Math.max(this.opts.windowMs, shared.windowMs ?? 0);
      const live = await tx.liveCalls(now);
      const n = Math.max(0, Math.min(wanted, capacity - live.length));
      // In flight, a call counts until an answer could still arrive, plus the window; observe() shortens that.
      const calls = Array.from({ length: n }, () => ({
        id: randomUUID(),
        at: now,
        expiresAt: now + windowMs + this.maxInFlightMs,
        settled: false,
      }));
      await tx.insertCalls(calls);
      state.lastCount = live.length + n;

      // The next waiter fits once enough calls expired to bring the count below capacity.
      const expiries = [...live.map((c) => c.expiresAt), ...calls.map((c) => c.expiresAt)].sort((x, y) => x - y);
      const expires = expiries[Math.max(0, expiries.length - capacity)] ?? now;
      return { granted: calls.map((c) => c.id), wanted, blockedUntil: 0, wakeAt: this.nextLook(now, expires) };
    });
  }

  /**
   * When to try again: the moment the window frees up (or the block ends), but no later than one poll away, since
   * a call in flight elsewhere may settle (and expire sooner) or another process may block the key meanwhile.
   */
  private nextLook(now: number, known: number): number {
    return Math.min(known, now + this.pollMs);
  }

  private wakeAt(key: string, state: KeyState, at: number): void {
    if (state.timer) clearTimeout(state.timer);
    // At least 1 ms: Node may fire a timer a hair before Date.now() reaches the target, and 0 would spin.
    state.timer = setTimeout(
      () => {
        state.timer = undefined;
        this.pump(key, state);
      },
      Math.max(1, at - this.now()),
    );
  }

  private forgetIfIdle(key: string, state: KeyState): void {
    const idle =
      !state.busy && !state.timer && state.queue.length === 0 && state.inFlight.length === 0 && this.pendingFor(state) === 0;
    if (idle && this.keys.get(key) === state) this.keys.delete(key);
  }

  private pendingFor(state: KeyState): number {
    return this.pending.has(state.writes) ? 1 : 0;
  }
}
