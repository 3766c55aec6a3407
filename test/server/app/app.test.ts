import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, afterEach } from 'vitest';
import request from 'supertest';
import { createApp } from '../../../server/app';
import { createTestDb, type TestDb } from '../../support/test-db';
import { createTestServices } from '../../support/test-services';

describe('createApp', () => {
  let db: TestDb;
  afterEach(async () => db?.destroy());

  const build = async () => {
    db = await createTestDb('sqlite');
    return createApp({ ...createTestServices(db), panelDir: '/nonexistent' });
  };

  it('POST /webhooks/responder/:key › stored by the webhook lane, with the request id and security headers of every route', async () => {
    db = await createTestDb('sqlite');
    const services = createTestServices(db);
    const key = await services.connections.ensureWebhookKey('loc-lane');
    const app = createApp({ ...services, panelDir: '/nonexistent' });
    const res = await request(app).post(`/webhooks/responder/${key}?source=lane`).set('X-Request-Id', 'req-lane-1').send({ email: 'lane@example.com', event_id: 'e1' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, eventId: expect.any(String), duplicate: false });
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-request-id']).toBe('req-lane-1');
    expect(res.headers['content-security-policy']).toContain('frame-ancestors');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const rows = await db.kysely.selectFrom('inbox_events').select(['location_id', 'status']).execute();
    expect(rows).toEqual([{ location_id: 'loc-lane', status: 'pending' }]);
  });

  it('POST /webhooks/responder/:key › past the burst › 429 with Retry-After from the shared public limit', async () => {
    const server = http.createServer(await build());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/responder/no-such-key`;
    // 300 at once against a burst of 200 (refilling at 50/s): the rest must be refused, and only with 429.
    const answers = await Promise.all(Array.from({ length: 300 }, () => fetch(url, { method: 'POST', body: '{}' })));
    server.close();
    const limited = answers.filter((r) => r.status === 429);
    expect(answers.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    expect(limited.length).toBeGreaterThan(50);
    expect(limited[0]!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await limited[0]!.json()).toEqual({ ok: false, error: { code: 'rate_limited', message: expect.any(String) } });
  });

  it('GET /webhooks/responder/:key › not a lane route › Express answers 404', async () => {
    const res = await request(await build()).get('/webhooks/responder/some-key');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('GET /healthz › database answers › 200 ok', async () => {
    const res = await request(await build()).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  it('GET /healthz › database closed › 503', async () => {
    const app = await build();
    await db.close();
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(503);
  });

  it('unknown route › 404 in the error envelope with a request id header', async () => {
    const res = await request(await build()).get('/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'Route not found' } });
    expect(res.headers['x-request-id']).toMatch(/.+/);
  });

  it('any page › CSP frame-ancestors lists GHL app domains', async () => {
    const res = await request(await build()).get('/healthz');
    expect(res.headers['content-security-policy']).toContain('frame-ancestors');
    expect(res.headers['content-security-policy']).toContain('https://app.gohighlevel.com');
  });

  it('GET /metrics › Prometheus text with the SPEC counters', async () => {
    const res = await request(await build()).get('/metrics');
    expect(res.status).toBe(200);
    for (const name of ['rlghl_events_received_total', 'rlghl_queue_depth', 'rlghl_ghl_calls_total', 'rlghl_token_refreshes_total']) {
      expect(res.text).toContain(name);
    }
  });

  it('panel not built › /app answers 503 with a clear code', async () => {
    const res = await request(await build()).get('/app/contacts/c1');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('panel_not_built');
  });

  it('GET /ghl/custom.js › the loader names the app URL and app id', async () => {
    const res = await request(await build()).get('/ghl/custom.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('javascript');
    expect(res.text).toContain('"http://127.0.0.1:3999"');
    expect(res.text).toContain('"testapp"');
    expect(res.text).toContain('REQUEST_USER_DATA_RESPONSE');
  });
});
