import { isAxiosError } from 'axios';
import { UpstreamError } from '../../errors';
import { parseRateLimitHeaders } from './ghl-rate-limit-headers';

/** When GHL sends a 429 without any hint of how long to wait (no header is documented as always present). */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 10_000;
const MAX_MESSAGE_LENGTH = 500;

/**
 * GHL's error bodies come in three shapes (apps/common/common-schemas.json and observed behaviour):
 * NestJS `{statusCode, message, error}` where `message` is a string or a string[] of validation failures;
 * OAuth `{error, error_description}` from /oauth/token; and duplicates `{message, meta: {contactId, …}}`.
 */
export function ghlErrorMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() || undefined;
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { message?: unknown; error?: unknown; error_description?: unknown };
  const message = Array.isArray(b.message)
    ? b.message.filter((m) => typeof m === 'string').join('; ')
    : typeof b.message === 'string'
      ? b.message
      : undefined;
  if (message) return message;
  const error = typeof b.error === 'string' ? b.error : undefined;
  const description = typeof b.error_description === 'string' ? b.error_description : undefined;
  if (error && description) return `${error}: ${description}`;
  return description ?? error;
}

/** Belt and braces: GHL never echoes tokens, but nothing token-like may reach a log or a job's dead reason. */
function scrub(message: string): string {
  const clean = message.replace(/Bearer\s+[^\s,;"']+/gi, 'Bearer [redacted]');
  return clean.length > MAX_MESSAGE_LENGTH ? `${clean.slice(0, MAX_MESSAGE_LENGTH)}…` : clean;
}

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfter(value: unknown, now: number): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const s = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.ceil(Number(s) * 1000);
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * How long a 429 asks us to wait. GHL documents only `X-RateLimit-Interval-Milliseconds` (the burst window,
 * ghl-platform.md §5), which the official SDK also waits on; then Retry-After; else 10 s. When the daily
 * budget is spent (`X-RateLimit-Daily-Remaining: 0`) the wait runs to the limiter's daily reset instead, so
 * the worker does not retry every 10 s for hours.
 */
export function rateLimitWaitMs(headers: Record<string, unknown>, now = Date.now()): number {
  const info = parseRateLimitHeaders(headers, now);
  if (info.dailyRemaining === 0) return info.dailyResetAt - now;
  if (info.intervalMs !== undefined && info.intervalMs > 0) return info.intervalMs;
  return parseRetryAfter(headers['retry-after'] ?? headers['Retry-After'], now) ?? DEFAULT_RATE_LIMIT_WAIT_MS;
}

const TRANSIENT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN']);

/**
 * Classifies a failed GHL call (SPEC §3): 401 → auth, 429 → rate_limited (with retryAfterMs), other 4xx →
 * permanent with GHL's message and body, 5xx / network / timeout → transient. `context` (e.g. "GET
 * /contacts/abc") prefixes the message; never pass a URL with a query string (it may hold emails/phones).
 */
export function toGhlError(err: unknown, context?: string): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const prefix = context ? `GHL ${context}` : 'GHL';

  if (isAxiosError(err)) {
    const res = err.response;
    if (!res) {
      // No answer at all: timeout, refused, reset, DNS. Retrying may well work.
      const code = err.code ?? 'network_error';
      const what = code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'timed out' : `failed (${code})`;
      return new UpstreamError('ghl', 'transient', scrub(`${prefix} ${what}`), {
        status: undefined,
        body: TRANSIENT_CODES.has(code) ? { code } : { code, message: err.message },
      });
    }
    const status = res.status;
    const body: unknown = res.data === '' ? undefined : res.data;
    const vendorMessage = ghlErrorMessage(body);
    const message = scrub(`${prefix} answered ${status}${vendorMessage ? `: ${vendorMessage}` : ''}`);
    const headers = (res.headers ?? {}) as Record<string, unknown>;
    if (status === 401) {
      // A valid token used on another location's record is also a 401 at GHL ("The token does not have access
      // to this location", ghl-platform.md §7.2). A refresh cannot fix that, so it is a permanent 403, not auth.
      // The same holds for a token without the endpoint's scope ("not authorized for this scope").
      if (vendorMessage && /does not have access to this location|not authorized for this scope/i.test(vendorMessage)) {
        return new UpstreamError('ghl', 'permanent', message, { status: 403, body });
      }
      return new UpstreamError('ghl', 'auth', message, { status, body });
    }
    if (status === 429) {
      return new UpstreamError('ghl', 'rate_limited', message, {
        status,
        body,
        retryAfterMs: rateLimitWaitMs(headers),
      });
    }
    if (status >= 400 && status < 500) return new UpstreamError('ghl', 'permanent', message, { status, body });
    return new UpstreamError('ghl', 'transient', message, { status, body });
  }

  const message = err instanceof Error ? err.message : String(err);
  return new UpstreamError('ghl', 'transient', scrub(`${prefix} failed: ${message}`));
}
