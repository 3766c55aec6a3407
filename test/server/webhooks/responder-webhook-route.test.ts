import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { InboxRepository } from '../../../server/db/repositories/inbox-repository';
import { ResponderConnectionRepository } from '../../../server/db/repositories/responder-connection-repository';
import { errorHandler } from '../../../server/errors';
import { createResponderSimulator } from '../../../server/sandbox/responder-simulator/responder-simulator';
import { SecretBox } from '../../../server/security/secret-box';
import { webhookLane } from '../../../server/http/webhook-lane';
import { responderWebhookRoute, type ResponderWebhookDeps } from '../../../server/webhooks/responder-webhook-route';
import { createTestDb, testDialects, type TestDb } from '../../support/test-db';

const logger = pino({ level: 'silent' });

function appWith(deps: ResponderWebhookDeps) {
  const app = express();
  app.use(errorHandler(logger));
  return webhookLane({ routes: [responderWebhookRoute(deps)], logger }, app);
}

describe.each(testDialects())('POST /webhooks/responder/:key on %s', (dialect) => {
  let db: TestDb;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
    await db?.destroy();
  });

  async function setup() {
    db = await createTestDb(dialect);
    const connections = new ResponderConnectionRepository(db, new SecretBox(randomBytes(32)));
    const inbox = new InboxRepository(db);
    const key = await connections.ensureWebhookKey('loc1');
    const app = appWith({ connections, inbox, logger });
    const rows = () => db.kysely.selectFrom('inbox_events').selectAll().orderBy('received_at').orderBy('id').execute();
    return { app, key, rows, connections, inbox };
  }

  it('unknown key › 200 {ok:false}, nothing stored, even with a broken body', async () => {
    const { app, rows } = await setup();
    const good = await supertest(app).post('/webhooks/responder/not-a-key').send({ email: 'a@b.co' });
    const broken = await supertest(app).post('/webhooks/responder/not-a-key').set('Content-Type', 'application/json').send('{"oops');
    const keyless = await supertest(app).post('/webhooks/responder').send({ email: 'a@b.co' });
    // A key that does not URL-decode is no key: still 200, never Express's 400.
    const undecodable = await supertest(app).post('/webhooks/responder/%E0%A4%A').send({ email: 'a@b.co' });
    for (const res of [good, broken, keyless, undecodable]) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: false });
    }
    expect(await rows()).toEqual([]);
  });

  it('known event as JSON › 200 with eventId, one pending row with the normalised event', async () => {
    const { app, key, rows } = await setup();
    const body = { email: 'Israel@Example.com', phone: '054-1234567', name: 'ישראל ישראלי', message: 'שלום 👋', date: '2026-11-28 14:05' };
    const res = await supertest(app).post(`/webhooks/responder/${key}`).send(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, eventId: expect.any(String), duplicate: false });
    const [row, ...rest] = await rows();
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      id: (res.body as { eventId: string }).eventId,
      source: 'responder',
      location_id: 'loc1',
      event_type: 'message.received',
      status: 'pending',
      ordering_key: 'responder:loc1:israel@example.com',
    });
    expect(row!.dedupe_key).toMatch(/^responder:loc1:h:[0-9a-f]{64}$/);
    expect(JSON.parse(row!.payload!)).toMatchObject({
      event: 'message.received',
      occurred_at: '2026-11-28T14:05:00+02:00',
      subscriber: { email: 'Israel@Example.com', phone_e164: '+972541234567', first: 'ישראל', last: 'ישראלי' },
      // Inbound messages reach Responder only as SMS replies, so a phone makes it SMS.
      message: { text: 'שלום 👋', channel: 'sms', direction: 'inbound' },
    });
    expect(JSON.parse(row!.raw_payload!)).toEqual(body);
  });

  it('same body twice › second answer duplicate:true with the same eventId, one row', async () => {
    const { app, key, rows } = await setup();
    const body = { email: 'a@b.co', event_id: 'r-1', event: 1 };
    const first = await supertest(app).post(`/webhooks/responder/${key}`).send(body);
    const second = await supertest(app).post(`/webhooks/responder/${key}`).send(body);
    expect(second.body).toEqual({ ok: true, eventId: (first.body as { eventId: string }).eventId, duplicate: true });
    expect(await rows()).toHaveLength(1);
  });

  it('form-encoded Hebrew body and ?event= › pending row, Hebrew byte for byte, query event wins', async () => {
    const { app, key, rows } = await setup();
    const form = new URLSearchParams({ 'שם מלא': 'דוד בן-גוריון', טלפון: '0541234567', event: '2', 'עיר': 'תל אביב-יפו' }).toString();
    const res = await supertest(app)
      .post(`/webhooks/responder/${key}?event=subscriber.joined`)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(form);
    expect(res.body).toMatchObject({ ok: true, duplicate: false });
    const [row] = await rows();
    expect(row).toMatchObject({ event_type: 'subscriber.joined', status: 'pending', ordering_key: 'responder:loc1:+972541234567' });
    const payload = JSON.parse(row!.payload!) as { subscriber: Record<string, unknown> };
    expect(payload.subscriber).toMatchObject({ first: 'דוד', last: 'בן-גוריון', personal_fields: { עיר: 'תל אביב-יפו' } });
  });

  it('JSON sent as text/plain › stored like JSON', async () => {
    const { app, key, rows } = await setup();
    const res = await supertest(app)
      .post(`/webhooks/responder/${key}`)
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify({ subscriber_id: 77, status: 'inactive' }));
    expect(res.body).toMatchObject({ ok: true });
    expect(await rows()).toEqual([expect.objectContaining({ event_type: 'subscriber.unsubscribed', ordering_key: 'responder:loc1:id:77' })]);
  });

  it('unknown event type › acknowledged, stored as ignored', async () => {
    const { app, key, rows } = await setup();
    const res = await supertest(app).post(`/webhooks/responder/${key}?event=form.viewed`).send({ email: 'a@b.co' });
    expect(res.body).toMatchObject({ ok: true, duplicate: false });
    expect(await rows()).toEqual([expect.objectContaining({ status: 'ignored', event_type: 'form.viewed' })]);
  });

  it.each([
    ['malformed JSON', 'application/json', '{"email": "a@b.co"', 'invalid_json'],
    ['no subscriber identity', 'application/json', '{"name": "דוד"}', 'no_subscriber_identity'],
    ['empty body', 'application/json', '', 'empty_body'],
    ['plain text', 'text/plain', 'שלום', 'unsupported_body'],
  ])('%s › 200 {ok:false,error}, exactly one invalid row with the raw text', async (_name, type, body, code) => {
    const { app, key, rows } = await setup();
    const res = await supertest(app).post(`/webhooks/responder/${key}`).set('Content-Type', type).send(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: false, error: { code, message: expect.any(String) } });
    const all = await rows();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ status: 'invalid', payload: null, event_type: `invalid:${code}`, location_id: 'loc1' });
    expect(JSON.parse(all[0]!.raw_payload!)).toBe(body);
  });

  it('two identical bad bodies › two invalid rows (each gets its own key)', async () => {
    const { app, key, rows } = await setup();
    for (let i = 0; i < 2; i++) await supertest(app).post(`/webhooks/responder/${key}`).set('Content-Type', 'application/json').send('{');
    expect(await rows()).toHaveLength(2);
  });

  it('body over 256 kB › 200 payload_too_large (never 413), only an invalid row', async () => {
    const { app, key, rows } = await setup();
    const res = await supertest(app)
      .post(`/webhooks/responder/${key}`)
      .send({ email: 'a@b.co', message: 'א'.repeat(150_000) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: false, error: { code: 'payload_too_large', message: expect.any(String) } });
    expect(await rows()).toEqual([expect.objectContaining({ status: 'invalid', payload: null, raw_payload: null })]);
  });

  it('storage fails › 429 storage_unavailable; connection lookup fails › 429', async () => {
    const { key, connections } = await setup();
    const broken = appWith({ connections, inbox: { insert: () => Promise.reject(new Error('disk full')) }, logger });
    const res = await supertest(broken).post(`/webhooks/responder/${key}`).send({ email: 'a@b.co' });
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ ok: false, error: { code: 'storage_unavailable', message: expect.any(String) } });
    const noDb = appWith({
      connections: { locationIdForWebhookKey: () => Promise.reject(new Error('db down')) },
      inbox: { insert: () => Promise.reject(new Error('unreachable')) },
      logger,
    });
    expect((await supertest(noDb).post(`/webhooks/responder/${key}`).send({ email: 'a@b.co' })).status).toBe(429);
  });

  it('default country from settings › a local number read in that country', async () => {
    const { key, connections, inbox, rows } = await setup();
    const app = appWith({ connections, inbox, logger, defaultCountry: async () => 'US' });
    await supertest(app).post(`/webhooks/responder/${key}`).send({ phone: '(212) 555-1234' });
    expect(JSON.parse((await rows())[0]!.payload!)).toMatchObject({ subscriber: { phone_e164: '+12125551234' } });
  });

  it('simulator sendWebhook over HTTP › JSON, form with renamed Hebrew keys, and a double fire deduped', async () => {
    const { app, key, rows } = await setup();
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/responder/${key}`;
    const sim = createResponderSimulator({ clientId: '1', clientSecret: 's', userToken: 'u' });

    const json = await sim.sendWebhook(url, { email: 'json@example.com', name: 'Dana Levi' }, { format: 'json', event: 1 });
    const form = await sim.sendWebhook(
      `${url}?event=message.replied`,
      { email: 'form@example.com', phone: '054-7654321', text: 'כן, תתקשרו אליי' },
      { format: 'form', keyMap: { email: 'אימייל', phone: 'טלפון', text: 'הודעה' } },
    );
    const twice = await sim.sendWebhook(url, { email: 'twice@example.com', 'שם מלא': 'רות כהן' }, { format: 'form', event: 5, duplicate: true });

    expect(json).toEqual([{ status: 200, body: { ok: true, eventId: expect.any(String), duplicate: false } }]);
    expect(form[0]).toMatchObject({ status: 200, body: { ok: true, duplicate: false } });
    expect(twice.map((d) => (d.body as { duplicate: boolean }).duplicate)).toEqual([false, true]);
    const stored = await rows();
    expect(stored.map((r) => r.event_type)).toEqual(['subscriber.joined', 'message.replied', 'subscriber.rejoined']);
    expect(JSON.parse(stored[1]!.payload!)).toMatchObject({
      subscriber: { email: 'form@example.com', phone_e164: '+972547654321' },
      message: { channel: 'sms', direction: 'inbound', text: 'כן, תתקשרו אליי' },
    });
    expect(JSON.parse(stored[2]!.payload!)).toMatchObject({ subscriber: { first: 'רות', last: 'כהן' } });
  });
});
