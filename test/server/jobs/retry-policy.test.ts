import { describe, expect, it } from 'vitest';
import { AppError, UpstreamError, notFound } from '../../../server/errors';
import {
  AUTH_MAX_ATTEMPTS,
  MAX_RATE_LIMIT_WAITS,
  PARK_MS,
  decideFailure,
} from '../../../server/jobs/retry-policy';

const now = 1_000_000;
const opts = { now, maxAttempts: 12, backoff: (attempt: number) => attempt * 100 };
const fresh = { attempts: 0, rate_limit_waits: 0 };
const ghl = (kind: UpstreamError['kind'], extra: { status?: number; retryAfterMs?: number } = {}) =>
  new UpstreamError('ghl', kind, 'upstream said no', extra);

describe('decideFailure', () => {
  it('decideFailure › 429 with Retry-After › waits exactly that long, no attempt used', () => {
    expect(decideFailure(ghl('rate_limited', { status: 429, retryAfterMs: 7_000 }), fresh, opts)).toEqual({
      action: 'retry', kind: 'rate_limited', error: 'GHL 429: upstream said no', nextRunAt: now + 7_000,
      countAttempt: false, rateLimited: true,
    });
  });

  it('decideFailure › 429 without Retry-After › backs off by the number of waits', () => {
    const d = decideFailure(ghl('rate_limited'), { attempts: 5, rate_limit_waits: 2 }, opts);

    expect(d).toMatchObject({ action: 'retry', nextRunAt: now + 300, countAttempt: false });
  });

  it('decideFailure › 429 past the cap of waits › dead', () => {
    const d = decideFailure(ghl('rate_limited'), { attempts: 0, rate_limit_waits: MAX_RATE_LIMIT_WAITS }, opts);

    expect(d).toMatchObject({ action: 'dead', error: expect.stringContaining('kept rate limiting') });
  });

  it('decideFailure › transient 503 › backoff retry counting an attempt, dead at maxAttempts', () => {
    const early = decideFailure(ghl('transient', { status: 503 }), { attempts: 2, rate_limit_waits: 0 }, opts);
    const last = decideFailure(ghl('transient', { status: 503 }), { attempts: 11, rate_limit_waits: 0 }, opts);

    expect(early).toMatchObject({ action: 'retry', nextRunAt: now + 300, countAttempt: true });
    expect(last).toMatchObject({ action: 'dead', error: 'GHL 503: upstream said no (gave up after 12 attempts)' });
  });

  it('decideFailure › repeated auth failure › retried until the third attempt, then dead', () => {
    const outcomes = [0, 1, 2].map((attempts) =>
      decideFailure(ghl('auth', { status: 401 }), { attempts, rate_limit_waits: 0 }, opts).action,
    );

    expect(AUTH_MAX_ATTEMPTS).toBe(3);
    expect(outcomes).toEqual(['retry', 'retry', 'dead']);
    expect(decideFailure(ghl('auth', { status: 401 }), { attempts: 2, rate_limit_waits: 0 }, opts).error).toBe(
      'GHL rejected the token (GHL 401: upstream said no)',
    );
  });

  it('decideFailure › permanent 422 › dead with status and message', () => {
    expect(decideFailure(ghl('permanent', { status: 422 }), fresh, opts)).toEqual({
      action: 'dead', kind: 'permanent', error: 'GHL 422: upstream said no',
    });
  });

  it('decideFailure › needs_reconnect › parked for 15 minutes', () => {
    expect(decideFailure(ghl('needs_reconnect'), fresh, opts)).toMatchObject({
      action: 'parked', nextRunAt: now + PARK_MS,
    });
  });

  it('decideFailure › Responder Live failure › named as Responder Live', () => {
    const err = new UpstreamError('responder', 'permanent', 'no such list', { status: 404 });

    expect(decideFailure(err, fresh, opts).error).toBe('Responder Live 404: no such list');
  });

  it('decideFailure › AppError 4xx › dead; AppError 5xx › retried', () => {
    expect(decideFailure(notFound('Contact'), fresh, opts)).toEqual({
      action: 'dead', kind: 'app_error', error: 'not_found: Contact not found',
    });
    expect(decideFailure(new AppError(503, 'service_unavailable', 'db down'), fresh, opts).action).toBe('retry');
  });

  it('decideFailure › any other error › transient with backoff', () => {
    expect(decideFailure(new TypeError('x is undefined'), fresh, opts)).toMatchObject({
      action: 'retry', error: 'TypeError: x is undefined', nextRunAt: now + 100, countAttempt: true,
    });
  });
});
