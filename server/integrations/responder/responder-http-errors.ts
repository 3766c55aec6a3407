import type { AxiosResponse } from 'axios';
import { UpstreamError } from '../../errors';

/** Maps an HTTP failure to the worker's kinds: 429 waits, other 4xx is permanent, 5xx is transient (SPEC §3). */
export function responderFailure(res: AxiosResponse<unknown>, what: string): UpstreamError {
  const body = safeBody(res.data);
  if (res.status === 429) {
    return new UpstreamError('responder', 'rate_limited', `Responder Live rate-limited ${what}`, {
      status: 429,
      retryAfterMs: retryAfterMs(res.headers['retry-after']),
      body,
    });
  }
  if (res.status >= 400 && res.status < 500) {
    return new UpstreamError('responder', 'permanent', `Responder Live refused ${what} (${res.status}): ${describeReason(body)}`, { status: res.status, body });
  }
  return new UpstreamError('responder', 'transient', `Responder Live failed ${what} (${res.status})`, { status: res.status, body });
}

/** Retry-After in seconds or as an HTTP date, in ms. */
export function retryAfterMs(header: unknown): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The vendor body without anything that looks like a credential, trimmed for logs and error messages. */
export function safeBody(data: unknown): unknown {
  if (typeof data === 'string') return data.slice(0, 500);
  if (typeof data !== 'object' || data === null) return data;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    out[k] = /token|secret|password/i.test(k) ? '[redacted]' : v;
  }
  return out;
}

/** A vendor's reason (string or object) as a short string for an error message. */
export function describeReason(value: unknown): string {
  if (value === undefined || value === null) return 'no reason given';
  if (typeof value === 'string') return value.slice(0, 200);
  try {
    return JSON.stringify(value).slice(0, 200);
  } catch {
    return 'unreadable reason';
  }
}
