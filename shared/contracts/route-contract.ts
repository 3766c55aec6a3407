import type * as z from 'zod/mini';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * One `/api/*` route. `response` is the payload inside `{"data": …}`; errors are `ApiErrorBody` (errors.ts).
 * `auth`: `none` (no bearer), `user` (any session), `admin` (session with role admin, else 403 `forbidden`).
 * `idempotent`: the route honours the `Idempotency-Key` header (a repeat answers the first result; the same key
 * with a different body is 422 `idempotency_key_reused`).
 */
export interface RouteContract {
  method: HttpMethod;
  path: string;
  auth: 'none' | 'user' | 'admin';
  params?: z.ZodMiniType;
  query?: z.ZodMiniType;
  body?: z.ZodMiniType;
  response: z.ZodMiniType;
  status: 200 | 201 | 202;
  idempotent: boolean;
}
