import { describe, expect, it, afterEach } from 'vitest';
import request from 'supertest';
import { createApp } from '../../../server/app';
import { parseConfig } from '../../../server/config';
import { createLogger } from '../../../server/logger';
import { createTestDb, type TestDb } from '../../support/test-db';

describe('createApp', () => {
  let db: TestDb;
  afterEach(async () => db?.destroy());

  const build = async () => {
    db = await createTestDb('sqlite');
    const config = parseConfig({}, () => ({
      ssoKey: 's', encryptionKey: Buffer.alloc(32, 1).toString('base64'), sessionSecret: 'x'.repeat(32),
      webhookPrivateKey: '', webhookPublicKey: '',
    }));
    return createApp({ config, logger: createLogger('silent'), db, panelDir: '/nonexistent' });
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
});
