import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';

/**
 * Middleware on Node's own request and response. Express's extend them, so one of these runs in an Express app and
 * in the webhook lane (webhook-lane.ts) alike.
 */
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

const JSON_TYPE = 'application/json; charset=utf-8';

/** Answers `body` as JSON with the headers Express's `res.status(status).json(body)` gives. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too_large' | 'unreadable' };

const DECODERS: Readonly<Record<string, () => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress>> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/**
 * A decompressor for a `Content-Encoding` (trimmed, lower case) that Node can read, as `express.raw()` and axios
 * accept them; undefined for any other name, `constructor` and the like included.
 */
export function contentDecoder(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  return Object.hasOwn(DECODERS, encoding) ? DECODERS[encoding]!() : undefined;
}

/**
 * The request's body as bytes, decompressed as `Content-Encoding` says (what `express.raw()` accepts), at most
 * `limit` bytes after decompression. Never rejects: a body too large, cut off, or in an unknown encoding is a
 * result, and whatever the sender still sends is read and dropped so the connection stays usable.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const decoding = encoding === 'identity' ? undefined : contentDecoder(encoding);
  if (encoding !== 'identity' && !decoding) return dropBody(req, 'unreadable');
  if (!decoding && Number(req.headers['content-length']) > limit) return dropBody(req, 'too_large');

  const stream: Readable = decoding ? req.pipe(decoding) : req;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      if (!result.ok) {
        if (decoding) {
          req.unpipe(decoding);
          decoding.destroy();
        }
        req.resume();
      }
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish({ ok: false, reason: 'too_large' });
      else chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', () => finish({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) }));
    stream.once('error', () => finish({ ok: false, reason: 'unreadable' }));
    if (decoding) req.once('error', () => finish({ ok: false, reason: 'unreadable' }));
    // A client that goes away mid-body: 'close' without a complete message.
    req.once('close', () => {
      if (!req.complete) finish({ ok: false, reason: 'unreadable' });
    });
  });
}

function dropBody(req: IncomingMessage, reason: 'too_large' | 'unreadable'): Promise<BodyResult> {
  req.resume();
  return Promise.resolve({ ok: false, reason });
}
