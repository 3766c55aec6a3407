import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { AWAITING_AUTHORIZATION } from '../../../server/db/repositories/installation-repository';
import { InboxWorker } from '../../../server/jobs/inbox-worker';
import { ghlInstallHandlers } from '../../../server/webhooks/ghl-install-handlers';
import { inboxEvent } from '../../support/inbox-factory';
import { createOAuthHarness, SIM_TOKEN_PATTERN, TEST_APP_ID, type OAuthHarness } from '../../support/ghl-oauth-harness';
import { testDialects } from '../../support/test-db';

describe.each(testDialects())('GHL INSTALL/UNINSTALL handlers on %s', (dialect) => {
  let h: OAuthHarness;
  afterEach(async () => h?.close());

  async function setup() {
    h = await createOAuthHarness(dialect, { file: true });
    h.sim.addCompany({ id: 'C1' });
    for (const id of ['L1', 'L2', 'L3', 'L4']) h.sim.addLocation({ id, companyId: 'C1' });
  }

  /** Delivers a signed webhook through the route, then lets the worker run everything due. */
  async function deliver(payload: Record<string, unknown>, options: { run?: boolean } = {}) {
    const raw = JSON.stringify({ appId: TEST_APP_ID, webhookId: crypto.randomUUID(), timestamp: new Date().toISOString(), ...payload });
    const res = await request(h.app)
      .post('/webhooks/ghl')
      .set({ 'content-type': 'application/json', 'x-ghl-signature': h.sim.sign(raw).ed25519 })
      .send(raw);
    expect(res.status).toBe(200);
    if (options.run !== false) await runWorker();
    return res.body as { eventId: string };
  }

  async function runWorker() {
    const handlers = ghlInstallHandlers(h);
    const worker = new InboxWorker({
      inbox: h.inbox,
      resolveHandler: (e) => handlers[e.event_type as 'INSTALL' | 'UNINSTALL'],
      logger: h.logger,
      concurrency: 4,
      pollMs: 10,
      leaseMs: 30_000,
      isLocationParked: (id) => h.tokens.isLocationParked(id),
    });
    await worker.drain();
  }

  async function callback(code: string) {
    const res = await request(h.app).get(`/oauth/callback?code=${code}`);
    expect(res.status).toBe(200);
  }
  const locationCode = (locationId = 'L1') => h.sim.createAuthCode({ userType: 'Location', companyId: 'C1', locationId });
  /** Work waiting for its retry time: still pending when UNINSTALL runs. */
  const later = () => Date.now() + 60 * 60 * 1000;
  const locations = () =>
    h.db.kysely.selectFrom('locations').select(['location_id', 'status', 'status_reason', 'token_source']).orderBy('location_id').execute();
  const eventStatus = async (id: string) =>
    (await h.db.kysely.selectFrom('inbox_events').select(['status', 'result']).where('id', '=', id).executeTakeFirstOrThrow());

  it('INSTALL › before the callback › recorded as awaiting authorization, then the callback makes it active', async () => {
    await setup();
    const install = await deliver({ type: 'INSTALL', locationId: 'L1', companyId: 'C1', userId: 'U1' });

    expect(await locations()).toEqual([
      { location_id: 'L1', status: 'needs_reconnect', status_reason: AWAITING_AUTHORIZATION, token_source: 'location' },
    ]);
    expect(await eventStatus(install.eventId)).toMatchObject({ status: 'done' });
    await callback(locationCode());

    expect(await locations()).toEqual([{ location_id: 'L1', status: 'active', status_reason: null, token_source: 'location' }]);
    expect(await h.db.kysely.selectFrom('companies').selectAll().execute()).toHaveLength(0);
    expect(await h.installations.getLocation('L1')).toMatchObject({ companyId: 'C1', tokenSource: 'location' });
    expect(await h.rawDump()).not.toMatch(SIM_TOKEN_PATTERN);
  });

  it('INSTALL › after the callback, delivered twice › confirmed, same single row and tokens, no GHL call', async () => {
    await setup();
    await callback(locationCode());
    const before = await h.installations.getLocation('L1');
    const calls = h.sim.requests.length;

    const first = await deliver({ type: 'INSTALL', locationId: 'L1', companyId: 'C1' });
    await deliver({ type: 'INSTALL', locationId: 'L1', companyId: 'C1' });

    expect(await locations()).toEqual([{ location_id: 'L1', status: 'active', status_reason: null, token_source: 'location' }]);
    expect((await h.installations.getLocation('L1'))?.tokens).toEqual(before?.tokens);
    expect(h.sim.requests.length).toBe(calls);
    expect(JSON.parse((await eventStatus(first.eventId)).result!)).toMatchObject({ outcome: 'confirmed' });
  });

  it('INSTALL › new location of a company whose token is stored › location token minted from it', async () => {
    await setup();
    await callback(h.sim.createAuthCode({ userType: 'Company', companyId: 'C1', approvedLocations: ['L1', 'L2', 'L3'] }));
    h.sim.installApp('L4');
    const minted = h.sim.stats.locationTokens;

    await deliver({ type: 'INSTALL', locationId: 'L4', companyId: 'C1' });

    expect(h.sim.stats.locationTokens - minted).toBe(1);
    expect((await locations()).map((l) => [l.location_id, l.status, l.token_source])).toEqual([
      ['L1', 'active', 'company'],
      ['L2', 'active', 'company'],
      ['L3', 'active', 'company'],
      ['L4', 'active', 'company'],
    ]);
    expect(await h.rawDump()).not.toMatch(SIM_TOKEN_PATTERN);
  });

  it('INSTALL › agency-level before and after the callback › one company row, active', async () => {
    await setup();
    await deliver({ type: 'INSTALL', companyId: 'C1', companyName: 'Agency' });
    expect(await h.installations.getCompany('C1')).toMatchObject({ status: 'needs_reconnect', statusReason: AWAITING_AUTHORIZATION, name: 'Agency' });

    await callback(h.sim.createAuthCode({ userType: 'Company', companyId: 'C1', approvedLocations: ['L1'] }));
    await deliver({ type: 'INSTALL', companyId: 'C1' });

    const companies = await h.db.kysely.selectFrom('companies').selectAll().execute();
    expect(companies).toMatchObject([{ company_id: 'C1', status: 'active', name: 'Agency' }]);
    expect(await locations()).toHaveLength(1);
  });

  it('UNINSTALL then reinstall › tokens deleted and pending work cancelled, then one active row again', async () => {
    await setup();
    await callback(locationCode());
    const pending = await h.inbox.insert(inboxEvent({ source: 'ghl', locationId: 'L1', eventType: 'ContactUpdate', dedupeKey: 'k-pending', nextRunAt: later() }));
    const message = await h.inbox.insert(inboxEvent({ source: 'ghl', locationId: 'L1', eventType: 'ContactCreate', dedupeKey: 'k-done', status: 'ignored' }));

    const uninstall = await deliver({ type: 'UNINSTALL', locationId: 'L1' });

    expect(await locations()).toEqual([{ location_id: 'L1', status: 'uninstalled', status_reason: null, token_source: 'location' }]);
    const row = await h.db.kysely.selectFrom('locations').selectAll().executeTakeFirstOrThrow();
    expect([row.access_token, row.refresh_token, row.token_expires_at]).toEqual([null, null, null]);
    expect((await eventStatus(pending.id)).status).toBe('cancelled');
    expect((await eventStatus(message.id)).status).toBe('ignored');
    expect(JSON.parse((await eventStatus(uninstall.eventId)).result!)).toMatchObject({ outcome: 'uninstalled', cancelled: 1 });
    await expect(h.tokens.getAccessToken('L1')).rejects.toMatchObject({ kind: 'needs_reconnect' });

    await deliver({ type: 'INSTALL', locationId: 'L1', companyId: 'C1' });
    await callback(locationCode());

    expect(await locations()).toEqual([{ location_id: 'L1', status: 'active', status_reason: null, token_source: 'location' }]);
    expect(await h.tokens.getAccessToken('L1')).toMatch(SIM_TOKEN_PATTERN);
    expect(await h.db.kysely.selectFrom('inbox_events').selectAll().execute()).toHaveLength(4); // history kept
    expect(await h.rawDump()).not.toMatch(SIM_TOKEN_PATTERN);
  });

  it('UNINSTALL › received before a reinstall but run after it › the reinstall stays', async () => {
    await setup();
    await callback(locationCode());
    await deliver({ type: 'UNINSTALL', locationId: 'L1' }, { run: false });
    await new Promise((resolve) => setTimeout(resolve, 5)); // the reinstall happens strictly later
    await h.installations.uninstallLocation('L1', Date.now());
    await callback(locationCode());

    await runWorker();

    expect(await locations()).toEqual([{ location_id: 'L1', status: 'active', status_reason: null, token_source: 'location' }]);
  });

  it('UNINSTALL › agency level › the company and all its locations uninstalled', async () => {
    await setup();
    await callback(h.sim.createAuthCode({ userType: 'Company', companyId: 'C1', approvedLocations: ['L1', 'L2', 'L3'] }));
    const pending = await h.inbox.insert(inboxEvent({ source: 'ghl', locationId: 'L2', eventType: 'NoteCreate', dedupeKey: 'k2', nextRunAt: later() }));

    await deliver({ type: 'UNINSTALL', companyId: 'C1' });

    expect((await h.installations.getCompany('C1'))).toMatchObject({ status: 'uninstalled', tokens: null });
    expect((await locations()).map((l) => l.status)).toEqual(['uninstalled', 'uninstalled', 'uninstalled']);
    expect((await eventStatus(pending.id)).status).toBe('cancelled');
    expect(await h.rawDump()).not.toMatch(SIM_TOKEN_PATTERN);
  });
});
