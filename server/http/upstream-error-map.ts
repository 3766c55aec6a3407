import type { ErrorRequestHandler } from 'express';
import { AppError, UpstreamError } from '../errors';
import { ghlErrorMessage } from '../integrations/ghl/ghl-errors';

/**
 * How a failed GHL / Responder call reads to the panel (SPEC §2 error envelope): the location lost its tokens →
 * 409 `needs_reconnect` (the panel shows the reconnect banner); rate limited → 429 with the wait; GHL down, timed
 * out or still refusing our token → 502 `upstream_unavailable`; a missing record → 404; any other refusal →
 * 422 `upstream_error` with the vendor's own message (e.g. GHL's validation text).
 */
export function toPanelError(err: UpstreamError): AppError {
  const vendor = err.service === 'ghl' ? 'GoHighLevel' : 'Responder Live';
  switch (err.kind) {
    case 'needs_reconnect':
      return new AppError(409, 'needs_reconnect', `${vendor} access for this sub-account must be reconnected`, { cause: err });
    case 'rate_limited':
      return new AppError(429, 'rate_limited', `${vendor} is rate limiting this sub-account; try again shortly`, {
        cause: err,
        details: err.retryAfterMs === undefined ? undefined : { retryAfterMs: err.retryAfterMs },
      });
    case 'permanent':
      if (err.status === 404) return new AppError(404, 'not_found', 'Not found', { cause: err });
      return new AppError(422, 'upstream_error', ghlErrorMessage(err.body) ?? `${vendor} refused the request`, { cause: err });
    case 'auth':
    case 'transient':
      return new AppError(502, 'upstream_unavailable', `${vendor} did not answer; try again shortly`, { cause: err });
  }
}

/** Turns UpstreamError into the panel's AppError (and a Retry-After on 429) before the app's error handler answers. */
export const mapUpstreamErrors: ErrorRequestHandler = (err, _req, res, next) => {
  if (!(err instanceof UpstreamError)) return next(err);
  if (err.kind === 'rate_limited' && err.retryAfterMs !== undefined && !res.headersSent) {
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
  }
  next(toPanelError(err));
};
