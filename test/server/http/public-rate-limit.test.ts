import express, { type RequestHandler } from 'express';
import pino from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '../../../server/errors';
import {
  clientIp,
  publicRateLimit,
  sessionRateLimit,
  webhookRateKey,
  webhookRateLimit,
} from '../../../server/http/public-rate-limit';

const logger = pino({ level: 'silent' });

/** A settable clock for the bucket refill. */
function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** One POST route behind `limiter`, answering 200 `{ok:true}` when let through. */
function appWith(limiter: RequestHandler, path = '/webhooks/responder/:key') {
  const app = express();
  app.use(limiter);
  app.post(path, (_req, res) => {
    res.json({ ok: true });
  });
  app.post('/webhooks/ghl', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(errorHandler(logger));
  return app;
}

const post = (app: express.Express, path: string) => request(app).post(path).send({ any: 'body' });

describe('publicRateLimit', () => {
  it('bucket › burst spent › 429 with Retry-After and the webhook body; other keys unaffected', async () => {
    const clock = fakeClock();
    const app = appWith(webhookRateLimit({ windowMs: 1000, max: 2, burst: 3, now: clock.now }));

    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(app, '/webhooks/responder/key-a')).status);
    const refused = await post(app, '/webhooks/responder/key-a');
    const other = await post(app, '/webhooks/responder/key-b');

    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body).toEqual({ ok: false, error: { code: 'rate_limited', message: expect.any(String) } });
    expect(other.status).toBe(200);
  });

  it('bucket › time passes › refills at max per window, never past the burst', async () => {
    const clock = fakeClock();
    const app = appWith(webhookRateLimit({ windowMs: 1000, max: 2, burst: 3, now: clock.now }));
    for (let i = 0; i < 3; i++) await post(app, '/webhooks/responder/k');

    clock.advance(500); // one token back
    const afterHalf = [(await post(app, '/webhooks/responder/k')).status, (await post(app, '/webhooks/responder/k')).status];
    clock.advance(60_000); // full again, capped at the burst of 3
    const afterLong: number[] = [];
    for (let i = 0; i < 4; i++) afterLong.push((await post(app, '/webhooks/responder/k')).status);

    expect(afterHalf).toEqual([200, 429]);
    expect(afterLong).toEqual([200, 200, 200, 429]);
  });

  it('api format › session limiter per IP › 429 with {error:{code:rate_limited}} and a Retry-After in seconds', async () => {
    const clock = fakeClock();
    const app = appWith(sessionRateLimit({ now: clock.now }), '/api/session');

    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await post(app, '/api/session')).status);
    const refused = await post(app, '/api/session');

    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(statuses[30]).toBe(429);
    expect(refused.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('memory › many keys › idle full buckets dropped and never more than maxKeys kept', async () => {
    const clock = fakeClock();
    const limiter = webhookRateLimit({ windowMs: 1000, max: 10, burst: 10, maxKeys: 50, now: clock.now });
    const app = appWith(limiter);

    for (let i = 0; i < 120; i++) await post(app, `/webhooks/responder/key-${i}`);
    const atPeak = limiter.size;
    clock.advance(5_000);
    await post(app, '/webhooks/responder/late');

    expect(atPeak).toBe(50);
    expect(limiter.size).toBe(1);
  });

  it('key › the key function throws › the request passes (a limiter bug never refuses a sender)', async () => {
    const app = appWith(
      publicRateLimit({
        windowMs: 1000,
        max: 1,
        key: () => {
          throw new Error('boom');
        },
      }),
    );

    const statuses = [(await post(app, '/webhooks/ghl')).status, (await post(app, '/webhooks/ghl')).status];

    expect(statuses).toEqual([200, 200]);
  });

  it('webhookRateKey › responder path, mounted anywhere › keyed by URL key; other paths by IP', async () => {
    const keys: string[] = [];
    const app = express();
    app.use('/webhooks', (req, _res, next) => {
      keys.push(webhookRateKey(req), clientIp(req));
      next();
    });
    app.post('/webhooks/*rest', (_req, res) => {
      res.json({});
    });

    await post(app, '/webhooks/responder/abc123?x=1');
    await post(app, '/webhooks/ghl');

    expect(keys[0]).toBe('responder:abc123');
    expect(keys[1]).toMatch(/^ip:/);
    expect(keys[2]).toBe(keys[3]);
  });
});
