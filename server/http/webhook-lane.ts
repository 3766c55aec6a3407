import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../logger';
import { sendJson, type NodeMiddleware } from './node-http';
import { requestLog } from './request-context';

/** A POST route the lane answers itself: `path` is tried against the URL's path, case-insensitively as Express does. */
export interface LaneRoute {
  path: RegExp;
  /**
   * Gets the path's capture groups, still URL-encoded, and the query string (without `?`, '' when none). Answers
   * every request itself, failures included.
   */
  handle(req: IncomingMessage, res: ServerResponse, params: readonly (string | undefined)[], query: string): Promise<void>;
}

export interface WebhookLaneOptions {
  routes: readonly LaneRoute[];
  /** Run first, in order, as in the Express app (request id, security headers, the public rate limit). */
  before?: readonly NodeMiddleware[];
  logger: Logger;
}

/**
 * Serves the webhook routes ahead of Express and hands every other request to `fallback` (the Express app).
 * Responder Live sends one webhook per message of every broadcast, by far the most requests the app gets, and
 * Express's own request handling (prototype swaps, the router walk, `res.send`) cost more CPU per webhook than
 * storing it: `npm run bench` (ingest) measured the bare Express route at ~170 µs of CPU against ~30 µs for
 * Node's own. The routes here use Node's request and response only.
 */
export function webhookLane(options: WebhookLaneOptions, fallback: RequestListener): RequestListener {
  const { routes, before = [], logger } = options;
  const fail = (req: IncomingMessage, res: ServerResponse, err: unknown) => failed(req, res, logger, err);
  return (req, res) => {
    if (req.method === 'POST') {
      const url = req.url ?? '/';
      const at = url.indexOf('?');
      const path = at < 0 ? url : url.slice(0, at);
      const query = at < 0 ? '' : url.slice(at + 1);
      for (const route of routes) {
        const match = route.path.exec(path);
        if (match) {
          runChain(before, req, res, fail, () => {
            route.handle(req, res, match.slice(1), query).catch((err: unknown) => fail(req, res, err));
          });
          return;
        }
      }
    }
    fallback(req, res);
  };
}

type Fail = (req: IncomingMessage, res: ServerResponse, err: unknown) => void;

function runChain(chain: readonly NodeMiddleware[], req: IncomingMessage, res: ServerResponse, fail: Fail, last: () => void): void {
  let at = 0;
  const next = (err?: unknown): void => {
    if (err !== undefined) return fail(req, res, err);
    const middleware = chain[at++];
    if (!middleware) return last();
    try {
      middleware(req, res, next);
    } catch (thrown) {
      fail(req, res, thrown);
    }
  };
  next();
}

/**
 * A route or middleware that threw: a bug, not the sender's fault. Webhook senders retry 429 (and Responder Live
 * deletes a webhook that gets another 4xx), so the event comes back once the bug is fixed instead of being lost.
 */
function failed(req: IncomingMessage, res: ServerResponse, logger: Logger, err: unknown): void {
  (requestLog(req) ?? logger).error({ err }, 'webhook lane: unhandled error');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  req.resume();
  res.setHeader('Retry-After', '60');
  sendJson(res, 429, { ok: false, error: { code: 'internal_error', message: 'The webhook could not be handled; retry later' } });
}
