import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../server/config';
import { INBOX_STATUSES, InboxRepository } from '../../../server/db/repositories/inbox-repository';
import { InstallationRepository } from '../../../server/db/repositories/installation-repository';
import { ResponderConnectionRepository } from '../../../server/db/repositories/responder-connection-repository';
import { errorHandler } from '../../../server/errors';
import { panelApiRouter } from '../../../server/http/panel-api-router';
import { requestContext } from '../../../server/http/request-context';
import { webhookLane } from '../../../server/http/webhook-lane';
import { GhlClient } from '../../../server/integrations/ghl/ghl-client';
import { GhlOAuthClient } from '../../../server/integrations/ghl/ghl-oauth-client';
import { LocalRateLimiter } from '../../../server/integrations/ghl/ghl-rate-limiter';
import { createLogger } from '../../../server/logger';
import { TokenService } from '../../../server/oauth/token-service';
import { createGhlSimulator, type GhlSimulator } from '../../../server/sandbox/ghl-simulator/ghl-simulator';
import { SecretBox } from '../../../server/security/secret-box';
import { encryptSsoPayload } from '../../../server/security/sso-crypto';
import { ghlWebhookRouter } from '../../../server/webhooks/ghl-webhook-route';
import { responderWebhookRoute } from '../../../server/webhooks/responder-webhook-route';
import { createTestDb, testDialects, type TestDb } from '../../support/test-db';
import { describeBody, fuzzBody, type FuzzBody } from './fuzz-bodies';
import { sendRaw, type FuzzResponse } from './fuzz-http';

const CLIENT_ID = 'fuzzapp-client';
const APP_ID = 'fuzzapp';
const SSO_KEY = 'fuzz-sso-key';
const LOCATION_ID = 'loc-fuzz';
// Tuned for ~15 s of CPU per database on 2 cores; on failure fast-check prints the seed and path for a replay.
const RUNS = { responder: 900, ghl: 900, session: 600 };
const TIMEOUT_MS = 60_000;

/** The three public endpoints mounted as the app mounts them, on one database, behind the one error handler. */
async function startFuzzWorld(dialect: Parameters<typeof createTestDb>[0]) {
  const db = await createTestDb(dialect);
  const sim = createGhlSimulator({ clientId: CLIENT_ID, clientSecret: 'fuzz-secret' });
  const simServer = await sim.listen();
  const config = parseConfig(
    {
      PUBLIC_URL: 'https://app.example.test',
      GHL_API_BASE_URL: simServer.url,
      GHL_CLIENT_ID: CLIENT_ID,
      GHL_CLIENT_SECRET: 'fuzz-secret',
      GHL_SSO_KEY: SSO_KEY,
      GHL_WEBHOOK_PUBLIC_KEY: sim.webhookPublicKeyPem,
      GHL_WEBHOOK_RSA_PUBLIC_KEY: sim.rsaPublicKeyPem,
      SESSION_SECRET: randomBytes(24).toString('hex'),
      APP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'silent',
    },
    () => {
      throw new Error('not sandbox');
    },
  );
  const logger = createLogger('silent');
  const box = new SecretBox(config.encryption.key);
  const inbox = new InboxRepository(db);
  const connections = new ResponderConnectionRepository(db, box);
  const webhookKey = await connections.ensureWebhookKey(LOCATION_ID);
  const oauth = new GhlOAuthClient({ baseUrl: simServer.url, clientId: CLIENT_ID, clientSecret: 'fuzz-secret', timeoutMs: 5000, logger });
  const tokens = new TokenService({ installations: new InstallationRepository(db, box), oauth, logger });
  const ghl = new GhlClient({ baseUrl: simServer.url, timeoutMs: 5000, tokens, limiter: new LocalRateLimiter({ max: 100, windowMs: 10_000 }), logger });

  const context = requestContext(logger);
  const app = express();
  app.use(context);
  app.use(ghlWebhookRouter({ config, logger, inbox }));
  app.use(panelApiRouter({ config, logger, db, box, ghl }));
  app.use(errorHandler(logger));
  const responder = responderWebhookRoute({ connections, inbox, logger });
  const server = http.createServer(webhookLane({ routes: [responder], before: [context], logger }, app));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  return {
    db,
    sim,
    webhookKey,
    baseUrl,
    send: (path: string, b: FuzzBody, extra?: Record<string, string>) => sendRaw(agent, baseUrl, path, b, extra),
    async close() {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await simServer.close();
      await db.destroy();
    },
  };
}

type FuzzWorld = Awaited<ReturnType<typeof startFuzzWorld>>;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Fails with the input that broke the rule, in a form short enough to read. */
function check(ok: boolean, what: string, b: FuzzBody, res: FuzzResponse): void {
  if (!ok) throw new Error(`${what}: got ${res.status} ${res.text.slice(0, 300)} for ${describeBody(b)}`);
}

/** Every stored row must be whole: its required columns set and every JSON column parsable. */
async function expectCompleteRows(db: TestDb): Promise<void> {
  const rows = await db.kysely.selectFrom('inbox_events').selectAll().execute();
  for (const row of rows) {
    const where = `row ${row.id} (${row.source} ${row.event_type} ${row.status})`;
    expect(row.id, where).toMatch(/\S/);
    expect(['responder', 'ghl'], where).toContain(row.source);
    expect(row.dedupe_key, where).toMatch(/\S/);
    expect(row.event_type, where).toMatch(/\S/);
    expect(INBOX_STATUSES, where).toContain(row.status);
    expect(Number(row.received_at), where).toBeGreaterThan(0);
    expect(typeof JSON.parse(row.checkpoints), where).toBe('object');
    if (row.payload !== null) expect(() => JSON.parse(row.payload!), where).not.toThrow();
    if (row.raw_payload !== null) expect(() => JSON.parse(row.raw_payload!), where).not.toThrow();
    if (row.status === 'pending') expect(row.payload, where).not.toBeNull();
    if (row.source === 'responder') {
      expect(row.location_id, where).toBe(LOCATION_ID);
      // A refused Responder body keeps only its text; GHL's unknown envelopes keep the parsed body too.
      if (row.status === 'invalid') expect(row.payload, where).toBeNull();
    }
  }
}

const countRows = async (db: TestDb, source: 'responder' | 'ghl') =>
  Number(
    (
      await db.kysely
        .selectFrom('inbox_events')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('source', '=', source)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Rows an aborted upload may still add (its handler runs on after the socket died) have landed by then. */
async function settledCount(db: TestDb, source: 'responder' | 'ghl'): Promise<number> {
  let previous = -1;
  let current = await countRows(db, source);
  while (current !== previous) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    previous = current;
    current = await countRows(db, source);
  }
  return current;
}

type Signing = 'none' | 'garbage' | 'ed25519' | 'rsa' | 'both' | 'wrong-body';

/** The signature headers of one case; RSA signing costs milliseconds, so only the cases that need it sign. */
function signatureHeaders(sim: GhlSimulator, body: Buffer, how: Signing): Record<string, string> {
  if (how === 'none') return {};
  if (how === 'garbage') return { 'x-ghl-signature': randomBytes(64).toString('base64'), 'x-wh-signature': 'not-base64!' };
  const sig = sim.sign(how === 'wrong-body' ? Buffer.concat([body, Buffer.from(' ')]) : body);
  if (how === 'ed25519') return { 'x-ghl-signature': sig.ed25519 };
  if (how === 'rsa') return { 'x-wh-signature': sig.rsa };
  return { 'x-ghl-signature': sig.ed25519, 'x-wh-signature': sig.rsa };
}

describe.each(testDialects())('public endpoints under fuzzing on %s', (dialect) => {
  let world: FuzzWorld;
  beforeAll(async () => {
    world = await startFuzzWorld(dialect);
  });
  afterAll(async () => {
    await world?.close();
  });

  it(
    'POST /webhooks/responder/:key › thousands of malformed, truncated, deep, mistyped and 2 MB bodies › always 200, one row per stored or refused body, none for unknown keys',
    async () => {
      let expected = 0;
      let aborted = 0;
      const before = await countRows(world.db, 'responder');
      await fc.assert(
        fc.asyncProperty(fuzzBody, fc.integer({ min: 0, max: 9 }), async (b, pick) => {
          const known = pick > 0;
          const key = known ? world.webhookKey : randomBytes(8).toString('hex');
          const res = await world.send(`/webhooks/responder/${key}`, b);
          if (res.status === 0) {
            if (known) aborted++;
            return;
          }
          check(res.status === 200, 'Responder must only ever get 200 (or 429)', b, res);
          const body = res.json as { ok?: boolean; duplicate?: boolean; error?: unknown };
          check(typeof body?.ok === 'boolean', 'answer must be {ok:…}', b, res);
          if (!known) return check(body.ok === false && body.error === undefined, 'unknown key → {ok:false}', b, res);
          if (body.ok === false || body.duplicate === false) expected++;
        }),
        { numRuns: RUNS.responder },
      );

      const stored = (await settledCount(world.db, 'responder')) - before;
      expect(expected).toBeGreaterThan(0);
      // An upload cut off mid-way is an unreadable body: it may leave its `invalid` row, never anything else.
      expect(stored).toBeGreaterThanOrEqual(expected);
      expect(stored).toBeLessThanOrEqual(expected + aborted);
      await expectCompleteRows(world.db);
    },
    TIMEOUT_MS,
  );

  it(
    'POST /webhooks/ghl › unsigned, wrongly signed and validly signed garbage › 401 unless signed, never 5xx, rows only for signed bodies',
    async () => {
      const signedStored = new Set<string>();
      let expected = 0;
      const before = await countRows(world.db, 'ghl');
      const signing = fc.constantFrom<Signing>('none', 'none', 'garbage', 'ed25519', 'ed25519', 'rsa', 'both', 'wrong-body');
      // A third of the bodies look like real envelopes of this app, so signed ones also reach the store.
      const envelope = fc
        .record({ type: fc.constantFrom('ContactCreate', 'NoteCreate', 'INSTALL', 'Unknown', ''), webhookId: fc.uuid(), extra: fc.jsonValue({ maxDepth: 3 }) })
        .map((e) => ({
          kind: 'envelope',
          body: Buffer.from(JSON.stringify({ ...e, appId: APP_ID, locationId: 'L1', timestamp: new Date().toISOString() })),
          contentType: 'application/json',
          headers: {},
        }));
      await fc.assert(
        fc.asyncProperty(fc.oneof({ weight: 2, arbitrary: fuzzBody }, { weight: 1, arbitrary: envelope }), signing, async (b, how) => {
          const headers = signatureHeaders(world.sim, b.body, how);
          const signed = how === 'ed25519' || how === 'rsa' || how === 'both';
          const res = await world.send('/webhooks/ghl', b, headers);
          if (res.status === 0) return;
          check(res.status < 500, 'never a 5xx', b, res);
          // Too large, unreadable or wrongly encoded bodies are refused before the signature is checked.
          if (!signed) return check([400, 401, 413, 415].includes(res.status), 'unsigned → 401 (or 4xx for an unreadable body)', b, res);
          const body = res.json as { ok?: boolean; ignored?: boolean; duplicate?: boolean } | undefined;
          if (res.status === 200 && body?.ok && !body.ignored && body.duplicate === false) {
            expected++;
            // The route keeps the body as UTF-8 text, so compare what that text is.
            signedStored.add(sha(Buffer.from(b.body.toString('utf8'), 'utf8')));
          }
        }),
        { numRuns: RUNS.ghl },
      );

      expect(expected).toBeGreaterThan(0);
      expect(await settledCount(world.db, 'ghl')).toBe(before + expected);
      const rows = await world.db.kysely.selectFrom('inbox_events').select('raw_payload').where('source', '=', 'ghl').execute();
      for (const row of rows) expect(signedStored.has(sha(Buffer.from(JSON.parse(row.raw_payload!) as string, 'utf8')))).toBe(true);
      await expectCompleteRows(world.db);
    },
    TIMEOUT_MS,
  );

  it(
    'POST /api/session › garbage bodies and validly encrypted garbage › 4xx only, no session, nothing stored',
    async () => {
      const encrypted = fc
        .oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ userId: fc.string(), activeLocation: fc.string(), role: fc.string(), companyId: fc.string() }, { requiredKeys: [] }))
        .map((value) => ({
          kind: 'encrypted-garbage',
          body: Buffer.from(JSON.stringify({ ssoPayload: encryptSsoPayload(value ?? null, SSO_KEY) })),
          contentType: 'application/json',
          headers: {},
        }));
      const randomPayload = fc.string({ maxLength: 200 }).map((s) => ({
        kind: 'random-payload',
        body: Buffer.from(JSON.stringify({ ssoPayload: s })),
        contentType: 'application/json',
        headers: {},
      }));
      await fc.assert(
        fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: fuzzBody }, { weight: 1, arbitrary: encrypted }, { weight: 1, arbitrary: randomPayload }), async (b) => {
          const res = await world.send('/api/session', b);
          if (res.status === 0) return;
          check([400, 401, 413, 415].includes(res.status), 'a bad session request is a 4xx, never 200 or 5xx', b, res);
          const body = res.json as { error?: { code?: unknown }; data?: unknown } | undefined;
          check(typeof body?.error?.code === 'string' && body.data === undefined, 'answer is {error:{code}}', b, res);
        }),
        { numRuns: RUNS.session },
      );

      for (const table of ['locations', 'companies', 'sessions'] as const) {
        expect(await world.db.kysely.selectFrom(table).selectAll().execute(), table).toEqual([]);
      }
    },
    TIMEOUT_MS,
  );

  it('after the fuzzing › a well-formed Responder event › still stored and answered (the process is whole)', async () => {
    const res = await world.send(`/webhooks/responder/${world.webhookKey}`, {
      kind: 'valid',
      body: Buffer.from(JSON.stringify({ email: 'after@example.com', name: 'אחרי', message: 'שלום', event_id: randomBytes(6).toString('hex') })),
      contentType: 'application/json',
      headers: {},
    });

    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ok: true, duplicate: false });
  });
});
