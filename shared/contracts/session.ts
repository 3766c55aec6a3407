import * as z from 'zod/mini';
import { IdSchema, IsoDateTimeSchema } from './common';

/**
 * `POST /api/session` body: the encrypted string GHL hands the iframe in `REQUEST_USER_DATA_RESPONSE.payload`
 * (reference/ghl-platform.md §3.1). Capped: a real payload is well under 4 KB.
 */
export const SessionRequestSchema = z.object({ ssoPayload: z.string().check(z.minLength(1), z.maxLength(16_384)) });
export type SessionRequest = z.infer<typeof SessionRequestSchema>;

export const UserRoleSchema = z.enum(['admin', 'user']);
export type UserRole = z.infer<typeof UserRoleSchema>;

/** `needs_reconnect`: token refresh failed for good; `uninstalled`: the app was removed from the location. */
export const LocationStatusSchema = z.enum(['active', 'needs_reconnect', 'uninstalled']);
export type LocationStatus = z.infer<typeof LocationStatusSchema>;

export const SessionUserSchema = z.object({
  id: IdSchema,
  name: z.string(),
  email: z.string(),
  role: UserRoleSchema,
});
export type SessionUser = z.infer<typeof SessionUserSchema>;

export const SessionLocationSchema = z.object({
  id: IdSchema,
  name: z.string(),
  /** IANA zone (`Asia/Jerusalem`); the panel shows every time in it. */
  timezone: z.string().check(z.minLength(1)),
  status: LocationStatusSchema,
  /** Human-readable reason when status is not `active` (e.g. GHL's refresh error). */
  statusReason: z.optional(z.string()),
});
export type SessionLocation = z.infer<typeof SessionLocationSchema>;

/** `POST /api/session` → `{data: SessionResponse}`. `token` is a short-lived JWT bound to `location.id`. */
export const SessionResponseSchema = z.object({
  token: z.string().check(z.minLength(1)),
  expiresAt: IsoDateTimeSchema,
  user: SessionUserSchema,
  location: SessionLocationSchema,
});
export type SessionResponse = z.infer<typeof SessionResponseSchema>;
