import express from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from '../../../server/http/security-headers';

const OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { directives: { 'frame-ancestors': ["'self'", 'https://app.gohighlevel.com'], 'img-src': ["'self'", 'data:'] } },
  frameguard: false,
  crossOriginEmbedderPolicy: false,
};

async function headersOf(middleware: express.RequestHandler): Promise<Record<string, unknown>> {
  const app = express();
  app.use(middleware);
  app.get('/', (_req, res) => {
    res.json({ ok: true });
  });
  const { headers } = await supertest(app).get('/');
  // Per-response headers, not helmet's.
  const { date: _date, etag: _etag, ...rest } = headers;
  return rest;
}

describe('securityHeaders', () => {
  it('sets exactly the headers helmet sets with the same options, on every response', async () => {
    const expected = await headersOf(helmet(OPTIONS));
    const precomputed = securityHeaders(OPTIONS);
    expect(await headersOf(precomputed)).toEqual(expected);
    expect(expected['content-security-policy']).toContain("frame-ancestors 'self' https://app.gohighlevel.com");
    expect(expected['x-powered-by']).toBeUndefined();
    expect(await headersOf(precomputed)).toEqual(expected);
  });

  it('a directive computed per request › refused when built', () => {
    expect(() =>
      securityHeaders({
        contentSecurityPolicy: { directives: { 'script-src': ["'self'", (_req, res) => `'nonce-${String((res as { nonce?: string }).nonce)}'`] } },
      }),
    ).toThrow();
  });
});
