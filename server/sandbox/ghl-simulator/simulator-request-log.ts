import type { RequestHandler, Response } from 'express';

/** One request the simulator answered (or left hanging: status 0), as tests assert on it. */
export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  contentType: string | undefined;
  versionHeader: string | undefined;
  resourceId: string | undefined;
  status: number;
}

/**
 * Records each request once its final status is known: just before the response is written (so a test that
 * has its answer can already see the record), or on close for calls that never got an answer.
 */
export function requestRecorder(log: RecordedRequest[], now: () => number, maxEntries: number): RequestHandler {
  return (req, res, next) => {
    const at = now();
    const path = req.path;
    const query: Record<string, unknown> = { ...(req.query as Record<string, unknown>) };
    let recorded = false;
    const record = (status: number) => {
      if (recorded) return;
      recorded = true;
      log.push({
        at,
        method: req.method,
        path,
        query,
        body: req.body as unknown,
        contentType: req.get('content-type'),
        versionHeader: req.get('version'),
        resourceId: res.locals.resourceId as string | undefined,
        status,
      });
      // A long-running sandbox must not grow without bound.
      if (log.length > maxEntries) log.splice(0, log.length - maxEntries);
    };
    const writable = res as unknown as { end: (...args: unknown[]) => Response };
    const originalEnd = writable.end.bind(res);
    writable.end = (...args: unknown[]) => {
      record(res.statusCode);
      return originalEnd(...args);
    };
    res.on('close', () => record(res.writableFinished ? res.statusCode : 0));
    next();
  };
}
