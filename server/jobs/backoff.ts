/**
 * Delay before retry number `attempt` (1 = the first retry): exponential, capped, with FULL jitter — a uniform
 * pick in [0, min(cap, base·2^(attempt−1))) — so a burst of failures does not come back as a burst.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(
  attempt: number,
  {
    baseMs = 1000,
    capMs = 15 * 60_000,
    random = Math.random,
  }: { baseMs?: number; capMs?: number; random?: () => number } = {},
): number {
  const exponent = Number.isFinite(attempt) ? Math.max(0, Math.floor(attempt) - 1) : 0;
  // 2 ** 1100 is Infinity, which Math.min turns back into the cap.
  const ceiling = Math.min(capMs, baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.min(Math.floor(r * ceiling), Math.max(0, ceiling - 1));
}
