import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import express from 'express';
import type { Logger } from '../logger';
import type { NodeMiddleware } from './node-http';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
    /** The exact bytes received, kept by the body parsers for signature checks and audit. */
    rawBody?: Buffer;
  }
}

const ROOT_LOGGER = Symbol('root logger');
const CHILD_LOGGER = Symbol('request logger');

interface WithLoggers {
  id?: string;
  [ROOT_LOGGER]?: Logger;
  [CHILD_LOGGER]?: Logger;
}

/**
 * The request's logger, carrying its id, made when first asked for: most requests that succeed log nothing, and a
 * pino child per request was a measurable part of the webhook ingest. Undefined before requestContext ran.
 */
export function requestLog(req: IncomingMessage): Logger | undefined {
  const r = req as IncomingMessage & WithLoggers;
  const root = r[ROOT_LOGGER];
  return root && (r[CHILD_LOGGER] ??= root.child({ requestId: r.id }));
}

// Express routes read it as `req.log`: one accessor on Express's request prototype, not one per request.
Object.defineProperty(express.request, 'log', {
  configurable: true,
  get(this: IncomingMessage) {
    return requestLog(this);
  },
  set(this: WithLoggers, value: Logger) {
    this[CHILD_LOGGER] = value;
  },
});

/** Gives every request an id (echoed as X-Request-Id) and a logger that carries it (`requestLog`, `req.log`). */
export function requestContext(logger: Logger): NodeMiddleware {
  return (req, res, next) => {
    const r = req as IncomingMessage & WithLoggers;
    const incoming = req.headers['x-request-id'];
    r.id = typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    r[ROOT_LOGGER] = logger;
    res.setHeader('X-Request-Id', r.id);
    next();
  };
}
