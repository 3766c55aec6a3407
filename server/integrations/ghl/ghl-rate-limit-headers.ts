/**
 * GHL's rate-limit headers (ghl-platform.md §5, from GHL's OAuth FAQ): `X-RateLimit-Max`,
 * `X-RateLimit-Remaining`, `X-RateLimit-Interval-Milliseconds` for the burst window (100 per 10 s per app per
 * location/company) and `X-RateLimit-Limit-Daily`, `X-RateLimit-Daily-Remaining` for the daily budget
 * (200,000). Any of them may be missing; values may arrive as strings, numbers or arrays.
 */
export interface GhlRateLimitInfo {
  max?: number;
  remaining?: number;
  intervalMs?: number;
  dailyLimit?: number;
  dailyRemaining?: number;
  /** When a spent daily budget is assumed to refill; see `nextDailyReset`. */
  dailyResetAt: number;
}

function header(headers: Record<string, unknown>, name: string): unknown {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

function numberHeader(headers: Record<string, unknown>, name: string): number | undefined {
  let v = header(headers, name);
  if (Array.isArray(v)) v = v[0];
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || !/^\s*\d+(\.\d+)?\s*$/.test(v)) return undefined;
  return Number(v);
}

/**
 * When the daily budget is assumed to refill. GHL does not document the reset moment (the SDK reads an
 * undocumented `X-RateLimit-Daily-Reset`, which we honour when it looks like an epoch time); without it we
 * assume the next UTC midnight. If that guess is early, the first call after it gets another 429 with
 * `Daily-Remaining: 0` and the key blocks again, so a wrong guess costs one request per day, not a storm.
 */
export function nextDailyReset(headers: Record<string, unknown>, now: number): number {
  const reset = numberHeader(headers, 'x-ratelimit-daily-reset');
  if (reset !== undefined) {
    const asMs = reset < 1e12 ? reset * 1000 : reset; // epoch seconds or ms
    if (asMs > now && asMs - now <= 26 * 3_600_000) return asMs;
  }
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

/** Reads GHL's X-RateLimit-* headers, case-insensitively. */
export function parseRateLimitHeaders(headers: Record<string, unknown>, now: number): GhlRateLimitInfo {
  return {
    max: numberHeader(headers, 'x-ratelimit-max'),
    remaining: numberHeader(headers, 'x-ratelimit-remaining'),
    intervalMs: numberHeader(headers, 'x-ratelimit-interval-milliseconds'),
    dailyLimit: numberHeader(headers, 'x-ratelimit-limit-daily'),
    dailyRemaining: numberHeader(headers, 'x-ratelimit-daily-remaining'),
    dailyResetAt: nextDailyReset(headers, now),
  };
}
