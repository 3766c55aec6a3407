import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, type NodeMiddleware } from './node-http';
import { requestLog } from './request-context';

export interface PublicRateLimitOptions {
  /** Refill rate: `max` requests per `windowMs`, per key. */
  windowMs: number;
  max: number;
  /** Bucket size: how many may arrive at once after a quiet spell (default `max`). */
  burst?: number;
  /** What is limited: an IP, a webhook key… Must not throw; if it does, the request passes. */
  key: (req: IncomingMessage) => string;
  /** Body of the 429: `api` → `{error:{code,message}}`; `webhook` → `{ok:false,error:{code,message}}`. */
  format?: 'api' | 'webhook';
  /** Most keys kept at once (default 10,000): the least recently seen go first. */
  maxKeys?: number;
  now?: () => number;
}

/** The middleware (Express and the webhook lane share one), plus what it holds (tests, metrics). */
export type PublicRateLimiter = NodeMiddleware & { readonly size: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** Webhooks: 50 per second per key, 200 at once (a Responder broadcast or a GHL bulk import arrives in bursts). */
export const WEBHOOK_RATE_LIMIT = { windowMs: 1000, max: 50, burst: 200 } as const;
/** `/api/session`: a panel opens one session per load; 60 a minute per IP leaves room for a busy office. */
export const SESSION_RATE_LIMIT = { windowMs: 60_000, max: 60, burst: 30 } as const;

const MAX_KEY_LENGTH = 200;

/**
 * Per-process token bucket in front of the public endpoints (issue 7 hardening). It only ever answers 429 with
 * `Retry-After`: Responder deletes a webhook that gets another 4xx (responder-live.md §1.3.4) and GHL retries only
 * 429 (ghl-platform.md §2.4), so a throttled sender comes back instead of losing events. Memory is bounded: a
 * bucket that has refilled is dropped (a fresh one behaves the same), and past `maxKeys` the least recently seen
 * key goes. Each process counts alone; behind a load balancer the effective limit is the sum over processes.
 */
export function publicRateLimit(options: PublicRateLimitOptions): PublicRateLimiter {
  const { windowMs, max, key: keyOf } = options;
  if (!(max > 0) || !(windowMs > 0)) throw new Error('publicRateLimit needs max > 0 and windowMs > 0');
  const burst = Math.max(1, options.burst ?? max);
  const maxKeys = Math.max(1, options.maxKeys ?? 10_000);
  const now = options.now ?? Date.now;
  const perMs = max / windowMs;
  const refillMs = burst / perMs;
  // Map order is least recently seen first: a key is re-inserted on every request.
  const buckets = new Map<string, Bucket>();
  let lastSweep = now();

  const sweep = (t: number) => {
    lastSweep = t;
    for (const [k, b] of buckets) {
      if (t - b.at < refillMs) break;
      buckets.delete(k);
    }
  };

  const handler: NodeMiddleware = (req, res, next) => {
    let k: string;
    try {
      k = keyOf(req).slice(0, MAX_KEY_LENGTH);
    } catch (err) {
      requestLog(req)?.warn({ err }, 'rate limit key failed; request let through');
      return next();
    }
    const t = now();
    if (t - lastSweep >= refillMs) sweep(t);

    const previous = buckets.get(k);
    const bucket = previous
      ? { tokens: Math.min(burst, previous.tokens + (t - previous.at) * perMs), at: t }
      : { tokens: burst, at: t };
    buckets.delete(k);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      buckets.set(k, bucket);
      trim(buckets, maxKeys);
      return next();
    }
    buckets.set(k, bucket);
    reject(res, Math.ceil((1 - bucket.tokens) / perMs), options.format ?? 'api');
  };

  return Object.defineProperty(handler, 'size', { get: () => buckets.size }) as PublicRateLimiter;
}

function trim(buckets: Map<string, Bucket>, maxKeys: number): void {
  while (buckets.size > maxKeys) {
    const oldest = buckets.keys().next();
    if (oldest.done) return;
    buckets.delete(oldest.value);
  }
}

function reject(res: ServerResponse, waitMs: number, format: 'api' | 'webhook'): void {
  const error = { code: 'rate_limited', message: 'Too many requests; retry later' };
  res.setHeader('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
  sendJson(res, 429, format === 'webhook' ? { ok: false, error } : { error });
}

/**
 * The client's address as Express sees it (honours `trust proxy`, which the app sets for its load balancer); the
 * socket's peer for a request Express has not seen.
 */
export function clientIp(req: IncomingMessage): string {
  return `ip:${(req as { ip?: string }).ip ?? req.socket.remoteAddress ?? 'unknown'}`;
}

/**
 * Webhook budget key: a Responder delivery by its URL key (Responder's servers send every location's events, so
 * their IP says nothing), anything else by client IP. Read from `originalUrl`, so it works however it is mounted.
 */
export function webhookRateKey(req: IncomingMessage): string {
  const path = ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0] ?? '';
  const match = /\/webhooks\/responder\/([^/]+)/.exec(path);
  return match?.[1] ? `responder:${match[1]}` : clientIp(req);
}

/** `publicRateLimit` for `/webhooks/*` with the defaults above and the webhook answer shape. */
export function webhookRateLimit(overrides: Partial<PublicRateLimitOptions> = {}): PublicRateLimiter {
  return publicRateLimit({ ...WEBHOOK_RATE_LIMIT, key: webhookRateKey, format: 'webhook', ...overrides });
}

/** `publicRateLimit` for `POST /api/session`, per client IP. */
export function sessionRateLimit(overrides: Partial<PublicRateLimitOptions> = {}): PublicRateLimiter {
  return publicRateLimit({ ...SESSION_RATE_LIMIT, key: clientIp, format: 'api', ...overrides });
}
