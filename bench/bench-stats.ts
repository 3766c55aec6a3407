import type { Timings } from './bench-protocol';

/** Nearest-rank percentile of already sorted samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** p50 / p95 / max of durations in ms, rounded to 0.01 ms. */
export function summarise(durationsMs: readonly number[], rows: number): Timings {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    samples: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    maxMs: round(sorted[sorted.length - 1] ?? Number.NaN),
    rows,
  };
}

/** Runs `fn` `iterations` times after `warmup` untimed runs; returns each timed run's duration. */
export async function timeRuns(iterations: number, fn: () => Promise<number>, warmup = 10): Promise<Timings> {
  let rows = 0;
  for (let i = 0; i < warmup; i++) await fn();
  const durations: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    rows = await fn();
    durations.push(performance.now() - start);
  }
  return summarise(durations, rows);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
