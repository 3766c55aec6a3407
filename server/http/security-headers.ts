import type { Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import type { NodeMiddleware } from './node-http';

/**
 * helmet's headers, worked out once. With options that hold no per-request functions (no CSP nonces) helmet sets
 * the same headers on every response, yet runs its dozen middlewares each time: 7% of a webhook's CPU in the
 * ingest profile (bench/ingest-bench.ts). This runs helmet once against a recording response, then sets and
 * removes what it recorded.
 */
export function securityHeaders(options: HelmetOptions): NodeMiddleware {
  const csp = options.contentSecurityPolicy;
  const directives = typeof csp === 'object' ? Object.values(csp.directives ?? {}) : [];
  if (directives.some((value) => typeof value === 'function' || (Array.isArray(value) && value.some((v) => typeof v === 'function')))) {
    throw new Error('securityHeaders: a CSP directive is computed per request; use helmet() directly');
  }
  const set = new Map<string, string>();
  const removed = new Set<string>();
  const recorder = {
    setHeader: (name: string, value: unknown) => {
      set.set(name, String(value));
      removed.delete(name);
    },
    removeHeader: (name: string) => {
      set.delete(name);
      removed.add(name);
    },
  };
  helmet(options)({} as never, recorder as unknown as Response, (err?: unknown) => {
    if (err) throw err;
  });
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    res.setHeaders(set);
    next();
  };
}
