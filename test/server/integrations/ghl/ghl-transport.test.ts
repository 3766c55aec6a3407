import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { isAxiosError } from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { toGhlError } from '../../../../server/integrations/ghl/ghl-errors';
import { exchangeJson, proxyConfigured } from '../../../../server/integrations/ghl/ghl-transport';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A loopback server answering with `answer`; it records what it received. */
async function server(answer: (req: Seen, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body };
      seen.push(s);
      answer(s, res);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return {
    seen,
    url,
    close: () => {
      srv.closeAllConnections();
      return new Promise<void>((resolve) => srv.close(() => resolve()));
    },
  };
}

const headers = { Accept: 'application/json', Version: '2021-07-28', Authorization: 'Bearer t' };

describe('exchangeJson', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('exchange › JSON POST with Hebrew › one request with our headers, the answer parsed', async () => {
    const s = await server((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-ratelimit-remaining', '97');
      res.end(JSON.stringify({ note: { id: 'n1', body: 'שלום' } }));
    });
    closers.push(s.close);
    const body = { body: 'שלום עולם' };

    const res = await exchangeJson({ url: `${s.url}/contacts/c1/notes?x=%2B1`, method: 'POST', headers, body, timeoutMs: 2_000 });

    expect(res).toMatchObject({ status: 200, data: { note: { id: 'n1', body: 'שלום' } } });
    expect(res.headers['x-ratelimit-remaining']).toBe('97');
    expect(s.seen).toHaveLength(1);
    expect(s.seen[0]).toMatchObject({ method: 'POST', url: '/contacts/c1/notes?x=%2B1', body: JSON.stringify(body) });
    expect(s.seen[0]!.headers).toMatchObject({
      authorization: 'Bearer t',
      version: '2021-07-28',
      accept: 'application/json',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(JSON.stringify(body))),
    });
  });

  it('exchange › GET › no body, no content type', async () => {
    const s = await server((_req, res) => res.end('{"ok":true}'));
    closers.push(s.close);

    const res = await exchangeJson({ url: `${s.url}/locations/l1`, method: 'GET', headers, timeoutMs: 2_000 });

    expect(res.data).toEqual({ ok: true });
    expect(s.seen[0]!.body).toBe('');
    expect(s.seen[0]!.headers['content-type']).toBeUndefined();
  });

  it('exchange › 429 with the interval header › AxiosError with the answer, classified rate_limited', async () => {
    const s = await server((_req, res) => {
      res.statusCode = 429;
      res.setHeader('x-ratelimit-interval-milliseconds', '10000');
      res.end(JSON.stringify({ statusCode: 429, message: 'Too many requests' }));
    });
    closers.push(s.close);

    const err = await exchangeJson({ url: `${s.url}/contacts/x`, method: 'GET', headers, timeoutMs: 2_000 }).catch((e: unknown) => e);

    expect(isAxiosError(err) && err.response?.status).toBe(429);
    expect(isAxiosError(err) && err.response?.data).toEqual({ statusCode: 429, message: 'Too many requests' });
    expect(toGhlError(err, 'GET /contacts/x')).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 10_000 });
  });

  it('exchange › text answer that is not JSON › kept as text', async () => {
    const s = await server((_req, res) => {
      res.statusCode = 502;
      res.end('Bad Gateway');
    });
    closers.push(s.close);

    const err = await exchangeJson({ url: `${s.url}/x`, method: 'GET', headers, timeoutMs: 2_000 }).catch((e: unknown) => e);

    expect(isAxiosError(err) && err.response?.data).toBe('Bad Gateway');
    expect(toGhlError(err)).toMatchObject({ kind: 'transient', status: 502 });
  });

  it('exchange › gzip answer › decompressed', async () => {
    const s = await server((_req, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.end(zlib.gzipSync(JSON.stringify({ ok: true })));
    });
    closers.push(s.close);

    const res = await exchangeJson({ url: `${s.url}/x`, method: 'GET', headers, timeoutMs: 2_000 });

    expect(res.data).toEqual({ ok: true });
    expect(s.seen[0]!.headers['accept-encoding']).toContain('gzip');
  });

  it('exchange › no answer within the timeout › AxiosError ECONNABORTED, classified transient', async () => {
    const s = await server(() => undefined);
    closers.push(s.close);

    const err = await exchangeJson({ url: `${s.url}/slow`, method: 'GET', headers, timeoutMs: 50 }).catch((e: unknown) => e);

    expect(isAxiosError(err) && err.code).toBe('ECONNABORTED');
    expect(toGhlError(err, 'GET /slow')).toMatchObject({ kind: 'transient', message: 'GHL GET /slow timed out' });
  });

  it('exchange › nothing listening › AxiosError with the network code', async () => {
    const s = await server(() => undefined);
    await s.close();

    const err = await exchangeJson({ url: `${s.url}/x`, method: 'GET', headers, timeoutMs: 2_000 }).catch((e: unknown) => e);

    expect(isAxiosError(err) && err.code).toBe('ECONNREFUSED');
    expect(toGhlError(err)).toMatchObject({ kind: 'transient', body: { code: 'ECONNREFUSED' } });
  });

  it('proxyConfigured › a proxy variable in any case › true; empty or none › false', () => {
    expect(proxyConfigured({ https_proxy: 'http://proxy:3128' })).toBe(true);
    expect(proxyConfigured({ HTTP_PROXY: 'http://proxy:3128' })).toBe(true);
    expect(proxyConfigured({ HTTP_PROXY: '', NO_PROXY: '*' })).toBe(false);
  });
});
