import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { readBody, sendJson, type NodeMiddleware } from '../../../server/http/node-http';
import { webhookLane, type LaneRoute } from '../../../server/http/webhook-lane';

const logger = pino({ level: 'silent' });
const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function serve(listener: http.RequestListener): Promise<string> {
  const server = http.createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A lane with one route that answers what readBody made of the body (limit 16 bytes). */
function echoLane(before: NodeMiddleware[] = [], handle?: LaneRoute['handle']) {
  const route: LaneRoute = {
    path: /^\/hook\/([^/]+)\/?$/i,
    handle:
      handle ??
      (async (req, res, [key]) => {
        const read = await readBody(req, 16);
        sendJson(res, 200, read.ok ? { key, body: read.body.toString('utf8') } : { key, refused: read.reason });
      }),
  };
  const fallback: http.RequestListener = (_req, res) => sendJson(res, 404, { fallback: true });
  return webhookLane({ routes: [route], before, logger }, fallback);
}

describe('webhookLane', () => {
  it('POST on a route path › the route answers, with its encoded parameter, in any case and with a trailing slash', async () => {
    const url = await serve(echoLane());
    const res = await fetch(`${url}/HOOK/a%20b/?x=1`, { method: 'POST', body: 'hello' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ key: 'a%20b', body: 'hello' });
  });

  it('other methods and paths › the fallback answers', async () => {
    const url = await serve(echoLane());
    expect((await fetch(`${url}/hook/k`)).status).toBe(404);
    expect(await (await fetch(`${url}/hook/k/more`, { method: 'POST', body: 'x' })).json()).toEqual({ fallback: true });
  });

  it('middlewares › run first, in order; one that answers ends the request', async () => {
    const order: string[] = [];
    const tag: NodeMiddleware = (_req, res, next) => {
      order.push('tag');
      res.setHeader('X-Tag', '1');
      next();
    };
    const gate: NodeMiddleware = (req, res, next) => {
      order.push('gate');
      if (req.url?.includes('blocked')) sendJson(res, 429, { ok: false });
      else next();
    };
    const url = await serve(echoLane([tag, gate]));
    const passed = await fetch(`${url}/hook/k`, { method: 'POST', body: 'x' });
    expect(passed.headers.get('x-tag')).toBe('1');
    expect(await passed.json()).toEqual({ key: 'k', body: 'x' });
    const blocked = await fetch(`${url}/hook/blocked`, { method: 'POST', body: 'x' });
    expect(blocked.status).toBe(429);
    expect(order).toEqual(['tag', 'gate', 'tag', 'gate']);
  });

  it('a route or middleware that throws › 429 with Retry-After (senders retry it), never a 5xx', async () => {
    const throwing: NodeMiddleware = () => {
      throw new Error('middleware bug');
    };
    const viaMiddleware = await serve(echoLane([throwing]));
    const viaRoute = await serve(echoLane([], async () => Promise.reject(new Error('route bug'))));
    for (const url of [viaMiddleware, viaRoute]) {
      const res = await fetch(`${url}/hook/k`, { method: 'POST', body: 'x' });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('60');
      expect(await res.json()).toEqual({ ok: false, error: { code: 'internal_error', message: expect.any(String) } });
    }
  });
});

describe('readBody', () => {
  it('gzip and deflate bodies › decompressed, as express.raw() does', async () => {
    const url = await serve(echoLane());
    const res = await fetch(`${url}/hook/k`, { method: 'POST', body: gzipSync('zipped'), headers: { 'content-encoding': 'gzip' } });
    expect(await res.json()).toEqual({ key: 'k', body: 'zipped' });
  });

  it('an encoding it does not know › unreadable, and the connection still answers', async () => {
    const url = await serve(echoLane());
    const res = await fetch(`${url}/hook/k`, { method: 'POST', body: 'x', headers: { 'content-encoding': 'zstd-ish' } });
    expect(await res.json()).toEqual({ key: 'k', refused: 'unreadable' });
  });

  it('an encoding named like an object property (constructor, toString) › unreadable too, not a crash', async () => {
    const url = await serve(echoLane());
    for (const encoding of ['constructor', 'tostring', '__proto__']) {
      const res = await fetch(`${url}/hook/k`, { method: 'POST', body: 'x', headers: { 'content-encoding': encoding } });
      expect(await res.json(), encoding).toEqual({ key: 'k', refused: 'unreadable' });
    }
  });

  it('over the limit › too_large, whether announced by Content-Length, streamed, or only once decompressed', async () => {
    const url = await serve(echoLane());
    const announced = await fetch(`${url}/hook/k`, { method: 'POST', body: 'x'.repeat(17) });
    const streamed = await fetch(`${url}/hook/k`, {
      method: 'POST',
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode('12345678'));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    const inflated = await fetch(`${url}/hook/k`, { method: 'POST', body: gzipSync('y'.repeat(1_000)), headers: { 'content-encoding': 'gzip' } });
    for (const res of [announced, streamed, inflated]) expect(await res.json()).toEqual({ key: 'k', refused: 'too_large' });
    // Exactly the limit is fine.
    expect(await (await fetch(`${url}/hook/k`, { method: 'POST', body: 'z'.repeat(16) })).json()).toEqual({ key: 'k', body: 'z'.repeat(16) });
  });
});
