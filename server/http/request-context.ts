import { randomUUID } from 'node:crypto';
import express, { type RequestHandler } from 'express';
import type { Logger } from '../logger';

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
  id: string;
  [ROOT_LOGGER]?: Logger;
  [CHILD_LOGGER]?: Logger;
}

// `req.log` is made when first read: most requests that succeed log nothing, and a pino child per request was a
// measurable part of the webhook ingest. One accessor on Express's request prototype, not one per request.
Object.defineProperty(express.request, 'log', {
  configurable: true,
  get(this: WithLoggers): Logger | undefined {
    const root = this[ROOT_LOGGER];
    return root && (this[CHILD_LOGGER] ??= root.child({ requestId: this.id }));
  },
  set(this: WithLoggers, value: Logger) {
    this[CHILD_LOGGER] = value;
  },
});

/** Gives every request an id (echoed as X-Request-Id) and a logger that carries it (`req.log`). */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    req.id = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    (req as unknown as WithLoggers)[ROOT_LOGGER] = logger;
    res.setHeader('X-Request-Id', req.id);
    next();
  };
}
