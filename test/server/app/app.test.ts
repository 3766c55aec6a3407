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
