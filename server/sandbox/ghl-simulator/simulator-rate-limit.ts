/**
 * GHL's per-resource budgets: 100 requests per 10 s and 200,000 per day "for each Marketplace app per resource
 * (Location or Company)" (ghl-platform.md §5), reported in the X-RateLimit-* headers on every answer.
 */
export interface RateLimitOptions {
  max: number;
  windowMs: number;
  dailyLimit: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

const DAY_MS = 86_400_000;

/** Sliding-window limiter per resource, plus the peak request count any window ever saw. */
export class RateLimiter {
  /** Timestamps of accepted requests inside the current window. */
  private readonly accepted = new Map<string, number[]>();
  /** Timestamps of every request (accepted or not) inside the current window, for `peak`. */
  private readonly seen = new Map<string, number[]>();
  private readonly peaks = new Map<string, number>();
  private readonly daily = new Map<string, { day: number; count: number }>();

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number,
  ) {}

  /** Counts one request; `forceReject` (a fault) answers 429 without spending budget. */
  consume(resourceId: string, forceReject = false): RateLimitDecision {
    const now = this.now();
    const seen = this.pruned(this.seen, resourceId, now);
    seen.push(now);
    this.peaks.set(resourceId, Math.max(this.peaks.get(resourceId) ?? 0, seen.length));

    const accepted = this.pruned(this.accepted, resourceId, now);
    const day = Math.floor(now / DAY_MS);
    let daily = this.daily.get(resourceId);
    if (!daily || daily.day !== day) {
      daily = { day, count: 0 };
      this.daily.set(resourceId, daily);
    }
    const allowed = !forceReject && daily.count < this.options.dailyLimit && accepted.length < this.options.max;
    if (allowed) {
      accepted.push(now);
      daily.count += 1;
    }
    return {
      allowed,
      headers: {
        'X-RateLimit-Limit-Daily': String(this.options.dailyLimit),
        'X-RateLimit-Daily-Remaining': String(Math.max(0, this.options.dailyLimit - daily.count)),
        'X-RateLimit-Interval-Milliseconds': String(this.options.windowMs),
        'X-RateLimit-Max': String(this.options.max),
        'X-RateLimit-Remaining': String(forceReject ? 0 : Math.max(0, this.options.max - accepted.length)),
      },
    };
  }

  peak(resourceId: string): number {
    return this.peaks.get(resourceId) ?? 0;
  }

  private pruned(map: Map<string, number[]>, resourceId: string, now: number): number[] {
    const from = now - this.options.windowMs;
    const list = (map.get(resourceId) ?? []).filter((t) => t > from);
    map.set(resourceId, list);
    return list;
  }
}
