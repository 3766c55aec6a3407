import type { ErrorRequestHandler } from 'express';
import type { Logger } from './logger';

/**
 * The one application error. `code` is snake_case and reaches clients as `{"error":{"code","message"}}`;
 * `status` is the HTTP status it maps to.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown; details?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.details = options?.details;
  }
  readonly details: unknown;
}

export const badRequest = (message: string, details?: unknown) =>
  new AppError(400, 'bad_request', message, { details });
export const validationFailed = (message: string, details?: unknown) =>
  new AppError(422, 'validation_failed', message, { details });
export const unauthorized = (message = 'Authentication required') => new AppError(401, 'unauthorized', message);
export const forbidden = (message = 'Not allowed') => new AppError(403, 'forbidden', message);
export const notFound = (what = 'Resource') => new AppError(404, 'not_found', `${what} not found`);
export const conflict = (message: string) => new AppError(409, 'conflict', message);
export const tooManyRequests = (message = 'Too many requests') => new AppError(429, 'rate_limited', message);
export const unavailable = (message: string, cause?: unknown) =>
  new AppError(503, 'service_unavailable', message, { cause });

/** Body-parser and similar libraries throw errors carrying `status`/`type`; map them to clear client errors. */
function fromLibraryError(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { status?: unknown; type?: unknown; message?: unknown };
  if (e.type === 'entity.too.large') return new AppError(413, 'payload_too_large', 'Request body is too large');
  if (e.type === 'entity.parse.failed') return new AppError(400, 'invalid_json', 'Request body is not valid JSON');
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported')
    return new AppError(415, 'unsupported_encoding', 'Unsupported request encoding');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
    return new AppError(e.status, 'bad_request', typeof e.message === 'string' ? e.message : 'Bad request');
  return undefined;
}

/** The single error handler, mounted last. Unknown errors are logged and answered as a generic 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const appError = err instanceof AppError ? err : fromLibraryError(err);
    const log = (req as { log?: Logger }).log ?? logger;
    if (!appError) {
      log.error({ err }, 'unhandled error');
      res.status(500).json({ error: { code: 'internal_error', message: 'Something went wrong on our side' } });
      return;
    }
    if (appError.status >= 500) log.error({ err: appError }, appError.message);
    const body: { code: string; message: string; details?: unknown } = {
      code: appError.code,
      message: appError.message,
    };
    if (appError.details !== undefined) body.details = appError.details;
    res.status(appError.status).json({ error: body });
  };
}

/**
 * How a call to GHL or Responder Live failed, which decides what the worker does next (SPEC §3):
 * `auth` → one token refresh then retry; `rate_limited` → wait `retryAfterMs`; `transient` (5xx, network,
 * timeout) → backoff; `permanent` (other 4xx) → dead with the reason; `needs_reconnect` → the location's
 * tokens are gone for good, park the work until the user reconnects.
 */
export type UpstreamFailure = 'auth' | 'rate_limited' | 'permanent' | 'transient' | 'needs_reconnect';

export class UpstreamError extends Error {
  readonly service: 'ghl' | 'responder';
  readonly kind: UpstreamFailure;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  /** The vendor's parsed error body, when it sent one (never contains our secrets). */
  readonly body: unknown;

  constructor(
    service: 'ghl' | 'responder',
    kind: UpstreamFailure,
    message: string,
    options: { status?: number; retryAfterMs?: number; body?: unknown; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UpstreamError';
    this.service = service;
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.body = options.body;
  }
}
