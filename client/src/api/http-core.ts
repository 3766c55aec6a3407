import type * as z from 'zod/mini';
import type { RouteContract } from '../../../shared/contracts/route-contract';
import { IDEMPOTENCY_KEY_HEADER } from '../../../shared/contracts/api-envelope';
import { ApiErrorBodySchema } from '../../../shared/contracts/errors';

/** A failed `/api/*` call: `status` 0 means the request never got an answer (network down, CORS, aborted). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type InputOf<S> = S extends z.ZodMiniType ? z.input<S> : never;

/** Path params, query and body a route takes; required exactly when the route declares them. */
export type RouteArgs<R extends RouteContract> = (R extends { params: z.ZodMiniType }
  ? { params: InputOf<R['params']> }
  : { params?: undefined }) &
  (R extends { query: z.ZodMiniType } ? { query?: InputOf<R['query']> } : { query?: undefined }) &
  (R extends { body: z.ZodMiniType } ? { body: InputOf<R['body']> } : { body?: undefined }) & {
    /** Sent as `Idempotency-Key`; reuse it when the user retries the same submission. */
    idempotencyKey?: string;
    signal?: AbortSignal;
  };

export type RouteResult<R extends RouteContract> = z.output<R['response']>;

/** Builds `/api/contacts/abc/notes?x=1` from a route contract, its params and query. */
export function buildUrl(path: string, params?: Record<string, unknown>, query?: Record<string, unknown>): string {
  const filled = path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null || value === '') throw new Error(`Missing route parameter ${name}`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const qs = search.toString();
  return qs ? `${filled}?${qs}` : filled;
}

/** Sends one request for `route` and parses the `{data}` envelope with the route's contract schema. */
export async function sendRequest<R extends RouteContract>(
  route: R,
  args: RouteArgs<R>,
  token: string | null,
): Promise<RouteResult<R>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (args.idempotencyKey) headers[IDEMPOTENCY_KEY_HEADER] = args.idempotencyKey;
  let body: string | undefined;
  if (args.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(args.body);
  }
  const url = buildUrl(route.path, args.params as Record<string, unknown> | undefined, args.query as
    | Record<string, unknown>
    | undefined);

  let response: Response;
  try {
    response = await fetch(url, { method: route.method, headers, body, signal: args.signal });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', 'The server could not be reached', { cause: String(err) });
  }

  const json: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const parsed = ApiErrorBodySchema.safeParse(json);
    if (parsed.success) {
      const { code, message, details } = parsed.data.error;
      throw new ApiError(response.status, code, message, details);
    }
    throw new ApiError(response.status, 'http_error', `Request failed with status ${response.status}`);
  }
  const data = (json as { data?: unknown } | undefined)?.data;
  const parsed = route.response.safeParse(data);
  if (!parsed.success) {
    throw new ApiError(response.status, 'invalid_response', 'The server sent an unexpected answer', parsed.error.issues);
  }
  return parsed.data as RouteResult<R>;
}
