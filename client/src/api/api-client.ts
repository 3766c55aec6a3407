import type { RouteContract } from '../../../shared/contracts/route-contract';
import { useSessionStore } from '../stores/session-store';
import { ApiError, sendRequest, type RouteArgs, type RouteResult } from './http-core';
import { newIdempotencyKey } from './idempotency';

/** Writes in flight by idempotency key: a second call with the same key joins the first instead of sending. */
const inFlightWrites = new Map<string, Promise<unknown>>();

export interface ApiClient {
  /** Calls a route with the session's bearer token; on 401 re-runs the GHL handshake once and retries. */
  call<R extends RouteContract>(route: R, args: RouteArgs<R>): Promise<RouteResult<R>>;
}

/** The panel's typed API client, bound to the active session store. */
export function useApi(): ApiClient {
  const session = useSessionStore();

  async function withAuth<R extends RouteContract>(route: R, args: RouteArgs<R>): Promise<RouteResult<R>> {
    const token = await session.ensureToken();
    try {
      return await sendRequest(route, args, token);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 401) {
        // The JWT expired early or the server rotated its secret: a fresh handshake, then one retry (the same
        // idempotency key keeps a retried write single).
        const fresh = await session.renew();
        return sendRequest(route, args, fresh);
      }
      if (err.code === 'needs_reconnect') session.markNeedsReconnect(err.message);
      throw err;
    }
  }

  return {
    call(route, args) {
      if (route.method === 'GET') return withAuth(route, args);
      const idempotencyKey = args.idempotencyKey ?? newIdempotencyKey();
      const joined = inFlightWrites.get(idempotencyKey);
      if (joined) return joined as Promise<RouteResult<typeof route>>;
      const promise = withAuth(route, { ...args, idempotencyKey }).finally(() => inFlightWrites.delete(idempotencyKey));
      inFlightWrites.set(idempotencyKey, promise);
      return promise;
    },
  };
}
