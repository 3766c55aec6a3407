import { AppError, UpstreamError } from '../errors';
import type { InboxEventRow } from '../db/schema';
import { backoffDelay } from './backoff';

/** A parked location (tokens gone for good) is looked at again this often, without using up attempts. */
export const PARK_MS = 15 * 60_000;
/** GHL's client already refreshed the token once before an `auth` failure reaches us; a few more tries, then dead. */
export const AUTH_MAX_ATTEMPTS = 3;
/** 429 waits do not count as attempts, but an event that is rate limited this often is given up. */
export const MAX_RATE_LIMIT_WAITS = 100;
export const DEFAULT_MAX_ATTEMPTS = 12;

/** What the worker does with an event whose handler threw. */
export type FailureDecision =
  | { action: 'retry'; nextRunAt: number; countAttempt: boolean; rateLimited: boolean; error: string; kind: string }
  | { action: 'parked'; nextRunAt: number; error: string; kind: string }
  | { action: 'dead'; error: string; kind: string };

const serviceLabel = (service: UpstreamError['service']) => (service === 'ghl' ? 'GHL' : 'Responder Live');

/**
 * SPEC §3's retry policy, as a pure function of the error and the event's counters:
 * 429 → wait what the vendor asked (not an attempt); 5xx/network/unknown → backoff; a repeated 401 → a few
 * tries then dead; other 4xx → dead with the reason; needs_reconnect → parked; after `maxAttempts` → dead.
 */
export function decideFailure(
  err: unknown,
  event: Pick<InboxEventRow, 'attempts' | 'rate_limit_waits'>,
  opts: { now: number; maxAttempts: number; backoff?: (attempt: number) => number },
): FailureDecision {
  const backoff = opts.backoff ?? ((attempt: number) => backoffDelay(attempt));
  const attemptsAfter = event.attempts + 1;
  const transient = (error: string, kind: string): FailureDecision =>
    attemptsAfter >= opts.maxAttempts
      ? { action: 'dead', kind, error: `${error} (gave up after ${attemptsAfter} attempts)` }
      : {
          action: 'retry',
          kind,
          error,
          nextRunAt: opts.now + backoff(attemptsAfter),
          countAttempt: true,
          rateLimited: false,
        };

  if (err instanceof UpstreamError) {
    const label = serviceLabel(err.service);
    const described = `${label}${err.status === undefined ? '' : ` ${err.status}`}: ${err.message}`;
    switch (err.kind) {
      case 'rate_limited': {
        const waits = event.rate_limit_waits + 1;
        if (waits > MAX_RATE_LIMIT_WAITS) {
          const error = `${label} kept rate limiting (${waits - 1} waits): ${err.message}`;
          return { action: 'dead', kind: err.kind, error };
        }
        const wait = err.retryAfterMs !== undefined && err.retryAfterMs >= 0 ? err.retryAfterMs : backoff(waits);
        return {
          action: 'retry',
          kind: err.kind,
          error: described,
          nextRunAt: opts.now + wait,
          countAttempt: false,
          rateLimited: true,
        };
      }
      case 'auth':
        if (attemptsAfter >= Math.min(AUTH_MAX_ATTEMPTS, opts.maxAttempts)) {
          return { action: 'dead', kind: err.kind, error: `${label} rejected the token (${described})` };
        }
        return transient(described, err.kind);
      case 'permanent':
        return { action: 'dead', kind: err.kind, error: described };
      case 'needs_reconnect':
        return {
          action: 'parked',
          kind: err.kind,
          error: `Waiting for the location to reconnect (${described})`,
          nextRunAt: opts.now + PARK_MS,
        };
      case 'transient':
        return transient(described, err.kind);
    }
  }
  if (err instanceof AppError && err.status >= 400 && err.status < 500) {
    return { action: 'dead', kind: 'app_error', error: `${err.code}: ${err.message}` };
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return transient(message, 'error');
}
