import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import express, { type Express } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../server/app';
import { errorHandler } from '../../../server/errors';
import { requestContext } from '../../../server/http/request-context';
import type { Services } from '../../../server/container';
import { InboxWorker } from '../../../server/jobs/inbox-worker';
import { createLogger } from '../../../server/logger';
import { createGhlSimulator, type GhlSimulator } from '../../../server/sandbox/ghl-simulator/ghl-simulator';
import { createResponderSimulator } from '../../../server/sandbox/responder-simulator/responder-simulator';
import { encryptSsoPayload } from '../../../server/security/sso-crypto';
import { createTestDb, testDialects, type TestDb } from '../../support/test-db';
import { createTestServices } from '../../support/test-services';

const CLIENT_ID = 'logsecrecy-client';
const APP_ID = 'logsecrecy';

/** Every value a secret may take on its way through the logs, gathered from both sides of each call. */
class SecretCollector {
  readonly values = new Set<string>();

  add(value: unknown): void {
    if (typeof value !== 'string' || value.length < 8) return;
    this.values.add(value);
    const bare = value.replace(/^Bearer\s+/i, '');
    if (bare !== value && bare.length >= 8) this.values.add(bare);
  }

  /** Token-like fields anywhere in a JSON answer (`access_token`, `refresh_token`, Responder's `token`…). */
  addTokensIn(body: unknown): void {
    if (Array.isArray(body)) for (const item of body) this.addTokensIn(item);
    else if (body && typeof body === 'object') {
      for (const [key, value] of Object.entries(body)) {
        if (/token/i.test(key)) this.add(value);
        this.addTokensIn(value);
      }
    }
  }
}

/** Serves `inner` behind a recorder of the Authorization headers it receives and the tokens it answers with. */
function recording(inner: Express, secrets: SecretCollector): Express {
  const outer = express();
  outer.use((req, res, next) => {
    secrets.add(req.get('authorization'));
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      secrets.addTokensIn(body);
      return json(body);
    };
    next();
  });
  outer.use(inner);
  return outer;
}

async function listen(app: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Call {
  status: number;
  body: { data?: Record<string, unknown> } & Record<string, unknown>;
}

describe.each(testDialects())('logs at trace on %s', (dialect) => {
  let db: TestDb | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await db?.destroy();
    db = undefined;
  });

  it('full run › install, refresh, panel session and writes, settings, both webhooks, worker › no secret in any line', async () => {
    // Arrange: the simulators behind recorders, the app with every log line captured.
    db = await createTestDb(dialect);
    const secrets = new SecretCollector();
    const clientSecret = `ghl-client-secret-${randomBytes(12).toString('hex')}`;
    const ssoKey = `ghl-sso-key-${randomBytes(12).toString('hex')}`;
    const encryptionKey = randomBytes(32).toString('base64');
    const sessionSecret = `session-secret-${randomBytes(16).toString('hex')}`;
    const responderCredentials = {
      clientId: '4711',
      clientSecret: `responder-secret-${randomBytes(12).toString('hex')}`,
      userToken: `responder-user-token-${randomBytes(12).toString('hex')}`,
    };
    for (const value of [clientSecret, ssoKey, encryptionKey, sessionSecret, responderCredentials.clientSecret, responderCredentials.userToken]) {
      secrets.add(value);
    }

    const sim: GhlSimulator = createGhlSimulator({ clientId: CLIENT_ID, clientSecret });
    const simServer = await listen(recording(sim.app, secrets));
    closers.push(simServer.close);
    const responder = createResponderSimulator(responderCredentials);
    responder.addList({ id: 21, name: 'לקוחות' });
    const responderServer = await listen(recording(responder.app, secrets));
    closers.push(responderServer.close);

    const lines: string[] = [];
    const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
    const services: Services = createTestServices(
      db,
      {
        GHL_CLIENT_ID: CLIENT_ID,
        GHL_CLIENT_SECRET: clientSecret,
        GHL_SSO_KEY: ssoKey,
        APP_ENCRYPTION_KEY: encryptionKey,
        SESSION_SECRET: sessionSecret,
        GHL_API_BASE_URL: simServer.url,
        GHL_AUTHORIZE_URL: `${simServer.url}/oauth/chooselocation`,
        GHL_WEBHOOK_PUBLIC_KEY: sim.webhookPublicKeyPem,
        RESPONDER_API_BASE_URL: `${responderServer.url}/v2`,
        GHL_TIMEOUT_MS: '1000',
        RESPONDER_TIMEOUT_MS: '1000',
        LOG_LEVEL: 'trace',
      },
      { logger },
    );
    const app = await listen(createApp({ ...services, panelDir: '/nonexistent-panel' }));
    closers.push(app.close);
    const worker = new InboxWorker({
      inbox: services.inbox,
      resolveHandler: services.resolveHandler,
      logger: logger.child({ area: 'worker' }),
      concurrency: 4,
      pollMs: 10,
      leaseMs: 30_000,
      isLocationParked: (locationId) => services.tokens.isLocationParked(locationId),
    });
    const call = async (method: string, path: string, body?: unknown, token?: string): Promise<Call> => {
      const res = await fetch(`${app.url}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Call['body']) : { text } };
    };

    const company = sim.addCompany();
    const location = sim.addLocation({ companyId: company.id });
    const admin = sim.addUser(location.id, { role: 'admin', email: 'admin@example.com' });
    const contact = sim.addContact(location.id, { firstName: 'דנה', email: 'dana@example.com' });
    const agency = sim.addCompany();
    const bulkLocation = sim.addLocation({ companyId: agency.id });
    const laterLocation = sim.addLocation({ companyId: agency.id });

    // Act: a location install and an agency bulk install through the callback.
    const locationCode = sim.createAuthCode({ userType: 'Location', companyId: company.id, locationId: location.id, userId: admin.id });
    const installed = await call('GET', `/oauth/callback?code=${locationCode}`);
    const agencyCode = sim.createAuthCode({
      userType: 'Company',
      companyId: agency.id,
      approvedLocations: [bulkLocation.id],
      isBulkInstallation: true,
    });
    const agencyInstalled = await call('GET', `/oauth/callback?code=${agencyCode}`);

    // Every access token stops working: the next GHL call of each kind refreshes.
    sim.expireAccessTokens();
    const ssoPayload = encryptSsoPayload(
      { userId: admin.id, companyId: company.id, role: 'admin', type: 'agency', userName: 'Admin', email: admin.email, activeLocation: location.id },
      ssoKey,
    );
    secrets.add(ssoPayload);
    const session = await call('POST', '/api/session', { ssoPayload });
    const panelToken = String(session.body.data?.token ?? '');
    secrets.add(panelToken);
    const note = await call('POST', `/api/contacts/${contact.id}/notes`, { body: 'פתק מהפאנל' }, panelToken);
    const settings = await call('PUT', '/api/settings', { responder: { credentials: responderCredentials, defaultListIds: [21] } }, panelToken);

    const webhookKey = await services.connections.ensureWebhookKey(location.id);
    secrets.add(webhookKey); // whoever has it can post events as Responder
    const responderHook = await call('POST', `/webhooks/responder/${webhookKey}`, {
      email: 'dana@example.com',
      name: 'דנה כהן',
      message: 'שלום, מה המחיר?',
      event_id: randomUUID(),
    });
    sim.installApp(laterLocation.id); // what GHL has done by the time it sends INSTALL
    const ghlHooks = [
      await sim.sendWebhook(`${app.url}/webhooks/ghl`, { type: 'ContactUpdate', appId: APP_ID, locationId: location.id, id: contact.id, email: 'dana@example.com' }),
      await sim.sendWebhook(`${app.url}/webhooks/ghl`, { type: 'INSTALL', appId: APP_ID, locationId: laterLocation.id, companyId: agency.id }),
    ];
    await worker.drain();
    const notesAfterRun = sim.getNotes(contact.id).length;

    // A bad day, so the error paths log too: GHL answering 500 and hanging, its token endpoint failing,
    // Responder refusing credentials and timing out.
    const wrongUserToken = `wrong-user-token-${randomBytes(12).toString('hex')}`;
    secrets.add(wrongUserToken);
    sim.setFaults({ errorRate: 1 });
    const ghlFailing = await call('POST', `/api/contacts/${contact.id}/notes`, { body: 'x' }, panelToken);
    sim.setFaults({ errorRate: 0, timeoutRate: 1 });
    const ghlHanging = await call('POST', `/api/contacts/${contact.id}/notes`, { body: 'y' }, panelToken);
    sim.resetFaults();
    sim.expireAccessTokens();
    sim.setFaults({ errorRate: 1, tokenEndpoint: true });
    const refreshFailing = await call('GET', `/api/contacts/${contact.id}`, undefined, panelToken);
    sim.resetFaults();
    const responderRefusing = await call(
      'POST',
      '/api/settings/responder/test',
      { credentials: { ...responderCredentials, userToken: wrongUserToken } },
      panelToken,
    );
    responder.setFaults({ latencyMs: 1_500 });
    const responderHanging = await call('POST', '/api/settings/responder/test', { credentials: responderCredentials }, panelToken);
    responder.setFaults({ latencyMs: 0 });

    // Tokens as stored now (sealed in the database) join those seen on the wire.
    for (const id of [location.id, bulkLocation.id, laterLocation.id]) {
      const tokens = (await services.installations.getLocation(id))?.tokens;
      secrets.add(tokens?.accessToken);
      secrets.add(tokens?.refreshToken);
    }
    const agencyTokens = (await services.installations.getCompany(agency.id))?.tokens;
    secrets.add(agencyTokens?.accessToken);
    secrets.add(agencyTokens?.refreshToken);
    const output = lines.join('');
    const leaks = [...secrets.values].filter((secret) => output.includes(secret));
    const events = await db.kysely.selectFrom('inbox_events').select(['source', 'event_type', 'status']).orderBy('received_at').execute();

    // Assert: the run did what it claims (so the grep covers real work), then nothing secret was logged.
    expect([installed.status, agencyInstalled.status]).toEqual([200, 200]);
    expect(session.status).toBe(200);
    expect(panelToken.split('.')).toHaveLength(3);
    expect(note.status).toBe(201);
    expect(settings.status).toBe(200);
    expect(settings.body.data).toMatchObject({ responder: { connected: true } });
    expect(responderHook.body).toMatchObject({ ok: true, duplicate: false });
    expect(ghlHooks.map((h) => h.status)).toEqual([200, 200]);
    expect(events).toEqual([
      { source: 'responder', event_type: 'message.received', status: 'done' },
      // Run by the automations, which first wait out the contact's burst window (10 s): rescheduled, no attempt used.
      { source: 'ghl', event_type: 'ContactUpdate', status: 'pending' },
      { source: 'ghl', event_type: 'INSTALL', status: 'done' },
    ]);
    expect((await services.installations.getLocation(laterLocation.id))?.status).toBe('active');
    expect(sim.stats.refreshes).toBeGreaterThanOrEqual(1);
    expect(notesAfterRun).toBe(2);
    expect([ghlFailing, ghlHanging, refreshFailing, responderHanging].map((r) => r.status)).toEqual([502, 502, 502, 502]);
    expect(responderRefusing.body.data).toMatchObject({ ok: false });
    // GHL tokens (location, agency, minted, refreshed), Responder tokens, the Authorization headers and our keys.
    expect(secrets.values.size).toBeGreaterThanOrEqual(20);
    expect(lines.length).toBeGreaterThan(20);
    expect(output).toContain('"level":20'); // debug detail (GHL and Responder calls) was captured too
    expect(leaks).toEqual([]);
    expect(output).not.toMatch(/sim-(at|rt)-/);
    expect(output).not.toMatch(/Bearer\s+[\w.-]{8,}/i);
  }, 60_000);
});

describe('logs › an unwrapped vendor error', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('AxiosError reaching the 500 handler or a log call › no Authorization header, no body it sent', async () => {
    // A port nobody listens on any more: the call fails without an answer, so no status maps it to a 4xx.
    const gone = await listen(express());
    await gone.close();
    const token = `at-${randomBytes(16).toString('hex')}`;
    const clientSecret = `cs-${randomBytes(16).toString('hex')}`;
    const failure = await axios
      .post(`${gone.url}/oauth/token`, { client_secret: clientSecret }, { headers: { Authorization: `Bearer ${token}` } })
      .then(() => undefined, (err: unknown) => err);
    const lines: string[] = [];
    const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
    const app = express();
    app.use(requestContext(logger));
    app.get('/boom', () => {
      throw failure;
    });
    app.use(errorHandler(logger));
    const server = await listen(app);
    closers.push(server.close);

    const res = await fetch(`${server.url}/boom`);
    logger.warn({ err: failure }, 'direct');
    logger.warn({ error: failure }, 'as error');

    const output = lines.join('');
    expect(axios.isAxiosError(failure)).toBe(true);
    expect(res.status).toBe(500);
    expect(lines).toHaveLength(3);
    expect(output).toContain('ECONNREFUSED');
    expect(output).not.toContain(token);
    expect(output).not.toContain(clientSecret);
  });
});
