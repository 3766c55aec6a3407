import { UpstreamError } from '../../errors';
import { parseRateLimitHeaders } from './ghl-rate-limit-headers';

/**
 * Keeps our calls inside GHL's per-resource budget: 100 requests per 10 s and 200,000 per day for each app per
 * location or company (ghl-platform.md §5). The interface is all the GHL client sees, so a limiter shared
 * through the database (several worker processes, issue 7) can replace the in-process one without changes.
 */
export interface GhlRateLimiter {
  /** Waits until one more request for `key` (a location or company id) fits in the window. */
  acquire(key: string): Promise<void>;
  /** Feeds back X-RateLimit-* headers (and 429s) so the local view follows GHL's. */
  observe(key: string, info: { headers: Record<string, unknown>; status: number }): void;
  /** Waits for state still being written elsewhere (the database-shared limiter); called at shutdown. */
  flush?(): Promise<void>;
}

export interface LocalRateLimiterOptions {
  /** Requests GHL allows per window and key (GHL_RATE_LIMIT_MAX). */
  max: number;
  /** The window length (GHL_RATE_LIMIT_WINDOW_MS). */
  windowMs: number;
  now?: () => number;
  /**
   * Share of `max` kept in reserve (default 0.02, at least one request unless set to 0), so a clock skew or
   * a request counted by GHL that we did not see never tips the window into a 429.
   */
  safetyMargin?: number;
  /**
   * A block longer than this (a spent daily budget) is not waited out: `acquire` rejects at once with an
   * UpstreamError `rate_limited` carrying `retryAfterMs`, so a worker slot is not parked for hours. Default 60 s.
   */
  maxBlockWaitMs?: number;
  /** A request never reported back through `observe` stops counting after this long (default 120 s). */
  maxInFlightMs?: number;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/** One request counted against the window. `settled` once its answer came back, and `at` is then that moment. */
interface Slot {
  at: number;
  settled: boolean;
}

interface KeyState {
  slots: Slot[];
  queue: Waiter[];
  blockedUntil: number;
  /** Requests we let through per window (max minus the reserve), lowered if GHL reports a smaller max. */
  capacity: number;
  /** Raised if GHL reports a longer interval than configured. */
  windowMs: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  timerAt: number;
}

/**
 * In-process sliding-window limiter, one independent queue per key (so one location's burst never delays
 * another), FIFO within a key. A request counts from the moment it is granted until `windowMs` after its
 * answer arrived: GHL counts it when it *receives* it, which is somewhere in between, so this errs on the safe
 * side without guessing latency. A timer runs only while some key has waiters; an idle limiter holds none.
 */
export class LocalRateLimiter implements GhlRateLimiter {
  private readonly keys = new Map<string, KeyState>();
  private readonly now: () => number;
  private readonly baseCapacity: number;
  private readonly margin: number;
  private readonly maxBlockWaitMs: number;
  private readonly maxInFlightMs: number;

  constructor(private readonly opts: LocalRateLimiterOptions) {
    if (!(opts.max >= 1) || !(opts.windowMs > 0)) throw new Error('LocalRateLimiter needs max ≥ 1 and windowMs > 0');
    this.now = opts.now ?? Date.now;
    this.margin = opts.safetyMargin ?? 0.02;
    this.baseCapacity = this.capacityFor(opts.max);
    this.maxBlockWaitMs = opts.maxBlockWaitMs ?? 60_000;
    this.maxInFlightMs = opts.maxInFlightMs ?? 120_000;
  }

  acquire(key: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.state(key).queue.push({ resolve, reject });
      this.pump(key);
    });
  }

  observe(key: string, info: { headers: Record<string, unknown>; status: number }): void {
    const state = this.state(key);
    const now = this.now();
    const inFlight = state.slots.find((s) => !s.settled);
    if (inFlight) {
      inFlight.settled = true;
      inFlight.at = now;
    }

    const rl = parseRateLimitHeaders(info.headers, now);
    if (rl.max !== undefined && rl.max >= 1) state.capacity = Math.min(this.baseCapacity, this.capacityFor(rl.max));
    if (rl.intervalMs !== undefined && rl.intervalMs > state.windowMs) state.windowMs = rl.intervalMs;
    if (info.status === 429 || rl.remaining === 0) {
      state.blockedUntil = Math.max(state.blockedUntil, now + (rl.intervalMs ?? state.windowMs));
    }
    if (rl.dailyRemaining === 0) state.blockedUntil = Math.max(state.blockedUntil, rl.dailyResetAt);

    // GHL's count can exceed ours when something else spends the same budget (another process, another app
    // install sharing the client id). Count the difference as requests made just now.
    if (rl.remaining !== undefined) {
      this.prune(state, now);
      const remoteUsed = (rl.max ?? this.opts.max) - rl.remaining;
      for (let i = state.slots.length; i < remoteUsed; i++) state.slots.push({ at: now, settled: true });
    }
    this.pump(key);
  }

  /** What the limiter currently holds for `key` (metrics, tests). */
  inspect(key: string): { queued: number; inWindow: number; blockedUntil: number; timerActive: boolean } {
    const state = this.keys.get(key);
    if (!state) return { queued: 0, inWindow: 0, blockedUntil: 0, timerActive: false };
    this.prune(state, this.now());
    return {
      queued: state.queue.length,
      inWindow: state.slots.length,
      blockedUntil: state.blockedUntil,
      timerActive: state.timer !== undefined,
    };
  }

  /** Number of keys with state kept (idle keys are forgotten once their window has drained). */
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
        slots: [],
        queue: [],
        blockedUntil: 0,
        capacity: this.baseCapacity,
        windowMs: this.opts.windowMs,
        timer: undefined,
        timerAt: 0,
      };
      this.keys.set(key, state);
    }
    return state;
  }

  private expiry(state: KeyState, slot: Slot): number {
    return slot.at + state.windowMs + (slot.settled ? 0 : this.maxInFlightMs);
  }

  private prune(state: KeyState, now: number): void {
    state.slots = state.slots.filter((s) => this.expiry(state, s) > now);
  }

  private pump(key: string): void {
    const state = this.keys.get(key);
    if (!state) return;
    const now = this.now();
    this.prune(state, now);

    if (state.queue.length > 0 && state.blockedUntil - now > this.maxBlockWaitMs) {
      const retryAfterMs = state.blockedUntil - now;
      const waiters = state.queue.splice(0);
      for (const w of waiters) {
        w.reject(
          new UpstreamError('ghl', 'rate_limited', `GHL rate limit for ${key} exhausted; retry in ${retryAfterMs} ms`, {
            retryAfterMs,
            status: 429,
          }),
        );
      }
    }

    while (state.queue.length > 0) {
      if (now < state.blockedUntil) return this.wakeAt(key, state, state.blockedUntil);
      if (state.slots.length >= state.capacity) {
        // Settled slots free up on their own; in-flight ones normally free up through observe(), and the
        // timer only covers a request whose answer never came back.
        const next = Math.min(...state.slots.map((s) => this.expiry(state, s)));
        return this.wakeAt(key, state, next);
      }
      state.slots.push({ at: now, settled: false });
      state.queue.shift()!.resolve();
    }

    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
    // Forget a drained key, unless it holds limits GHL told us about (a smaller max, a longer interval).
    const learned = state.capacity !== this.baseCapacity || state.windowMs !== this.opts.windowMs;
    if (state.slots.length === 0 && state.blockedUntil <= now && !learned) this.keys.delete(key);
  }

  private wakeAt(key: string, state: KeyState, at: number): void {
    if (state.timer && state.timerAt <= at) return;
    if (state.timer) clearTimeout(state.timer);
    state.timerAt = at;
    // At least 1 ms: Node may fire a timer a hair before Date.now() reaches the target, and 0 would spin.
    state.timer = setTimeout(
      () => {
        state.timer = undefined;
        this.pump(key);
      },
      Math.max(1, at - this.now()),
    );
  }
}
