import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { errorHandler } from '../../../server/errors';
import { requestContext } from '../../../server/http/request-context';
import { createGhlSimulator } from '../../../server/sandbox/ghl-simulator/ghl-simulator';
import { ghlWebhookRouter } from '../../../server/webhooks/ghl-webhook-route';
import { createOAuthHarness, TEST_APP_ID, type OAuthHarness } from '../../support/ghl-oauth-harness';
import { testDialects } from '../../support/test-db';

const contactCreate = (overrides: Record<string, unknown> = {}) => ({
  type: 'ContactCreate',
  appId: TEST_APP_ID,
  locationId: 'L1',
  id: 'contact-1',
  firstName: 'דנה',
  email: 'dana@example.com',
  webhookId: randomUUID(),
  timestamp: new Date().toISOString(),
  ...overrides,
});

describe.each(testDialects())('ghlWebhookRouter on %s', (dialect) => {
  let h: OAuthHarness;
  afterEach(async () => h?.close());

  // A string body goes out as is (superagent would serialise a Buffer as JSON).
  const post = (raw: string, headers: Record<string, string>) =>
    request(h.app).post('/webhooks/ghl').set({ 'content-type': 'application/json', ...headers }).send(raw);
  const rows = () => h.db.kysely.selectFrom('inbox_events').selectAll().execute();

  it('POST /webhooks/ghl › valid Ed25519 signature › stored pending with its keys, 200 with the event id', async () => {
    h = await createOAuthHarness(dialect);
    const payload = contactCreate();
    const raw = JSON.stringify(payload);

    const res = await post(raw, { 'x-ghl-signature': h.sim.sign(raw).ed25519 });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, eventId: expect.any(String), duplicate: false });
    const stored = await rows();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      id: res.body.eventId,
      source: 'ghl',
      location_id: 'L1',
      dedupe_key: `ghl:${payload.webhookId}`,
      event_type: 'ContactCreate',
      ordering_key: 'ghl:L1:contact-1',
      status: 'pending',
    });
    expect(JSON.parse(stored[0]!.raw_payload!)).toBe(raw);
    expect(JSON.parse(stored[0]!.payload!)).toEqual(payload);
  });

  it('POST /webhooks/ghl › valid legacy RSA signature only › stored', async () => {
    h = await createOAuthHarness(dialect);
    const raw = JSON.stringify(contactCreate({ type: 'NoteCreate', id: 'note-1', contactId: 'contact-9' }));

    const res = await post(raw, { 'x-wh-signature': h.sim.sign(raw).rsa });

    expect(res.status).toBe(200);
    expect(await rows()).toMatchObject([{ event_type: 'NoteCreate', ordering_key: 'ghl:L1:contact-9' }]);
  });

  it('POST /webhooks/ghl › one byte of the body changed › 401 and nothing stored', async () => {
    h = await createOAuthHarness(dialect);
    const raw = JSON.stringify(contactCreate());
    const signature = h.sim.sign(raw);
    const bytes = Buffer.from(raw, 'utf8');
    bytes[bytes.indexOf('dana')] = 'D'.charCodeAt(0);
    const altered = bytes.toString('utf8');
    expect(altered).not.toBe(raw);

    const res = await post(altered, { 'x-ghl-signature': signature.ed25519, 'x-wh-signature': signature.rsa });

    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_signature');
    expect(await rows()).toHaveLength(0);
  });

  it('POST /webhooks/ghl › signed with another key › 401 and nothing stored', async () => {
    h = await createOAuthHarness(dialect);
    // Simulators share one generated RSA key per process, so the RSA stranger gets its own key here.
    const stranger = createGhlSimulator({ clientId: 'x-y', clientSecret: 'z' });
    const strangerRsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const raw = JSON.stringify(contactCreate());

    const res = await post(raw, {
      'x-ghl-signature': stranger.sign(raw).ed25519,
      'x-wh-signature': sign('sha256', Buffer.from(raw), strangerRsa).toString('base64'),
    });

    expect(res.status).toBe(401);
    expect(await rows()).toHaveLength(0);
  });

  it('POST /webhooks/ghl › no signature header, or garbage in it › 401 and nothing stored', async () => {
    h = await createOAuthHarness(dialect);
    const raw = JSON.stringify(contactCreate());

    expect((await post(raw, {})).status).toBe(401);
    expect((await post(raw, { 'x-ghl-signature': 'not base64 !!' })).status).toBe(401);
    expect((await post(raw, { 'x-ghl-signature': '' })).status).toBe(401);
    expect(await rows()).toHaveLength(0);
  });

  it('POST /webhooks/ghl › same JSON re-serialised with other spacing › 401 (only the signed bytes count)', async () => {
    h = await createOAuthHarness(dialect);
    const payload = contactCreate();
    const signature = h.sim.sign(JSON.stringify(payload));

    const res = await post(JSON.stringify(payload, null, 2), { 'x-ghl-signature': signature.ed25519, 'x-wh-signature': signature.rsa });

    expect(res.status).toBe(401);
    expect(await rows()).toHaveLength(0);
  });

  it('POST /webhooks/ghl › timestamp 10 minutes old › 401 refused, nothing stored', async () => {
    h = await createOAuthHarness(dialect);
    const raw = JSON.stringify(contactCreate({ timestamp: new Date(Date.now() - 10 * 60 * 1000).toISOString() }));

    const res = await post(raw, { 'x-ghl-signature': h.sim.sign(raw).ed25519 });

    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('stale_webhook');
    expect(await rows()).toHaveLength(0);
  });

  it('POST /webhooks/ghl › another app\'s appId › 200 ignored, nothing stored', async () => {
    h = await createOAuthHarness(dialect);
    const raw = JSON.stringify(contactCreate({ appId: 'someoneelse' }));

    const res = await post(raw, { 'x-ghl-signature': h.sim.sign(raw).ed25519 });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, ignored: true });
    expect(await rows()).toHaveLength(0);
  });

  it('POST /webhooks/ghl › same webhookId sent 10 times at once › one row, one first delivery, same event id', async () => {
    h = await createOAuthHarness(dialect);
    const raw = JSON.stringify(contactCreate());
    const sig = h.sim.sign(raw).ed25519;

    const answers = await Promise.all(Array.from({ length: 10 }, () => post(raw, { 'x-ghl-signature': sig })));

    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.eventId)).size).toBe(1);
    expect(await rows()).toHaveLength(1);
  });

  it('POST /webhooks/ghl › no webhookId, same bytes twice › deduplicated on the body hash', async () => {
    h = await createOAuthHarness(dialect);
    const raw = JSON.stringify({ ...contactCreate(), webhookId: undefined });

    const first = await post(raw, { 'x-ghl-signature': h.sim.sign(raw).ed25519 });
    const second = await post(raw, { 'x-ghl-signature': h.sim.sign(raw).ed25519 });

    expect(first.body.duplicate).toBe(false);
    expect(second.body).toEqual({ ok: true, eventId: first.body.eventId, duplicate: true });
    expect((await rows())[0]!.dedupe_key).toMatch(/^ghl:h:[0-9a-f]{64}$/);
  });

  it('POST /webhooks/ghl › validly signed body that is not JSON › 400, nothing stored', async () => {
    h = await createOAuthHarness(dialect);
    const raw = 'type=ContactCreate';

    const res = await post(raw, { 'x-ghl-signature': h.sim.sign(raw).ed25519 });

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
    expect(await rows()).toHaveLength(0);
  });

  it('POST /webhooks/ghl › INSTALL and an unknown type › INSTALL pending without location, unknown ignored', async () => {
    h = await createOAuthHarness(dialect);
    const install = JSON.stringify(contactCreate({ type: 'INSTALL', companyId: 'C1', id: undefined }));
    const other = JSON.stringify(contactCreate({ type: 'OpportunityCreate' }));

    await post(install, { 'x-ghl-signature': h.sim.sign(install).ed25519 });
    await post(other, { 'x-ghl-signature': h.sim.sign(other).ed25519 });

    const stored = await h.db.kysely.selectFrom('inbox_events').selectAll().orderBy('event_type').execute();
    expect(stored.map((r) => [r.event_type, r.location_id, r.ordering_key, r.status])).toEqual([
      ['INSTALL', null, 'ghl:L1:app', 'pending'],
      ['OpportunityCreate', 'L1', null, 'ignored'],
    ]);
  });

  it('POST /webhooks/ghl › signed, with a blank type, a NUL type or a 300-character one › stored with a readable type', async () => {
    h = await createOAuthHarness(dialect);
    for (const type of [' ', '\u0000', 'X'.repeat(300)]) {
      const raw = JSON.stringify(contactCreate({ type }));
      expect((await post(raw, { 'x-ghl-signature': h.sim.sign(raw).ed25519 })).status).toBe(200);
    }
    const stored = await h.db.kysely.selectFrom('inbox_events').select(['event_type', 'status']).orderBy('status').execute();
    // The long one fails the envelope's own checks (an invalid row); the blank one is a type we do not handle.
    expect(stored).toEqual([
      { event_type: 'unknown', status: 'ignored' },
      { event_type: 'unknown', status: 'ignored' },
      { event_type: 'unknown', status: 'invalid' },
    ]);
  });

  it('POST /webhooks/ghl › sent by the simulator over HTTP with both signatures › stored, Hebrew byte for byte', async () => {
    h = await createOAuthHarness(dialect);
    const server = http.createServer(h.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await h.sim.sendWebhook(`http://127.0.0.1:${port}/webhooks/ghl`, {
        type: 'ContactUpdate', appId: TEST_APP_ID, locationId: 'L1', id: 'c-2', firstName: 'שָׁלוֹם‎ עולם',
      });

      expect(res.status).toBe(200);
      const [row] = await rows();
      expect(JSON.parse(row!.payload!).firstName).toBe('שָׁלוֹם‎ עולם');
      expect(JSON.parse(row!.raw_payload!)).toContain('שָׁלוֹם‎ עולם');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('ghlWebhookRouter › storage failing', () => {
  it('POST /webhooks/ghl › the inbox cannot store › 429 so GHL retries', async () => {
    const h = await createOAuthHarness('sqlite');
    try {
      const app = express();
      app.use(requestContext(h.logger));
      app.use(ghlWebhookRouter({ config: h.config, logger: h.logger, inbox: { insert: () => Promise.reject(new Error('disk full')) } }));
      app.use(errorHandler(h.logger));
      const raw = JSON.stringify(contactCreate());

      const res = await request(app)
        .post('/webhooks/ghl')
        .set({ 'content-type': 'application/json', 'x-ghl-signature': h.sim.sign(raw).ed25519 })
        .send(raw);

      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('rate_limited');
    } finally {
      await h.close();
    }
  });
});
