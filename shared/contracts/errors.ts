import * as z from 'zod/mini';

/**
 * Error codes the panel reacts to specifically. The server may send other snake_case codes; the client shows
 * their `message` as is.
 */
export const KnownErrorCodes = [
  'bad_request',
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'service_unavailable',
  'internal_error',
  /** The location's GHL tokens are gone for good; an admin must reinstall/reconnect the app. */
  'needs_reconnect',
  /** The SSO context names an agency, not a sub-account. */
  'agency_context',
  /** The same Idempotency-Key was sent with a different body. */
  'idempotency_key_reused',
  /** GHL or Responder Live failed while answering a write. */
  'upstream_error',
] as const;
export type KnownErrorCode = (typeof KnownErrorCodes)[number];

/** `{"error":{"code","message"}}`: every non-2xx answer of `/api/*` (SPEC §2). */
export const ApiErrorBodySchema = z.object({
  error: z.object({
    code: z.string().check(z.minLength(1)),
    message: z.string(),
    details: z.optional(z.unknown()),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;
