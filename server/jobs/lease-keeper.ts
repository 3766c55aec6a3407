import type { Logger } from '../logger';

/**
 * Keeps a claimed event's lease alive while its handler runs (a long GHL call must not look like a crash):
 * extends it every `everyMs` until stopped; when an extension finds the lease gone, calls `onLost` once.
 * Returns the stop function.
 */
export function keepLease(opts: {
  extend: () => Promise<boolean>;
  everyMs: number;
  onLost: () => void;
  log: Logger;
}): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      if (!(await opts.extend())) {
        if (!stopped) opts.onLost();
        return;
      }
    } catch (err) {
      // A database hiccup is not a lost lease: keep the handler running and try again next tick.
      opts.log.warn({ error: errorText(err) }, 'extending the event lease failed');
    }
    schedule();
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void tick(), Math.max(1, Math.floor(opts.everyMs)));
    // The lease timer alone must not keep a finished process alive.
    timer.unref();
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Resolves true when `promise` settles within `ms`, false otherwise. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Error text for logs: name and message only, never the error object (an HTTP client's error carries headers). */
export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
