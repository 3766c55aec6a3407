import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createOAuthHarness, PUBLIC_URL, SIM_TOKEN_PATTERN, TEST_CLIENT_ID, type OAuthHarness } from '../../support/ghl-oauth-harness';
import { testDialects } from '../../support/test-db';

describe.each(testDialects())('installRouter on %s', (dialect) => {
  let h: OAuthHarness;
  afterEach(async () => h?.close());

  /** Starts at /oauth/install in `agent`'s browser session and follows GHL's consent redirect back. */
  async function consent(agent: ReturnType<typeof request.agent>, locationId: string) {
    const start = await agent.get('/oauth/install');
    const consentUrl = new URL(start.headers.location!);
    consentUrl.searchParams.set('locationId', locationId);
    const back = await fetch(consentUrl, { redirect: 'manual' });
    return new URL(back.headers.get('location')!);
  }

  function seedLocation(locationId = 'L1', companyId = 'C1', name?: string) {
    if (!h.sim.getLocation(locationId)) {
      h.sim.addCompany({ id: companyId });
      h.sim.addLocation({ id: locationId, companyId, ...(name ? { name } : {}) });
    }
  }

  it('GET /oauth/install › any browser › 302 to the consent page with the OAuth parameters and a session cookie', async () => {
    h = await createOAuthHarness(dialect);

    const res = await request(h.app).get('/oauth/install');

    expect(res.status).toBe(302);
    const url = new URL(res.headers.location!);
    expect(`${url.origin}${url.pathname}`).toBe(h.config.ghl.authorizeUrl);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: TEST_CLIENT_ID,
      redirect_uri: `${PUBLIC_URL}/oauth/callback`,
      scope: h.config.ghl.scopes,
    });
    expect(url.searchParams.get('state')).toMatch(/^[\w-]+\.[\w-]+$/);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/rlghl\.sid=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(await h.db.kysely.selectFrom('sessions').selectAll().execute()).toHaveLength(1);
  });

  it('GET /oauth/callback › location install with this browser\'s state › location active, tokens sealed, success page', async () => {
    h = await createOAuthHarness(dialect, { file: true });
    seedLocation('L1', 'C1');
    const agent = request.agent(h.app);
    const back = await consent(agent, 'L1');
    expect(back.searchParams.get('state')).toMatch(/.{16,}/);

    const res = await agent.get(`/oauth/callback${back.search}`);

    expect(res.status).toBe(200);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('L1');
    expect(res.text).toContain('Settings');
    expect(res.text).toContain('רב מסר');
    const rows = await h.db.kysely.selectFrom('locations').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ location_id: 'L1', company_id: 'C1', status: 'active', token_source: 'location' });
    expect(await h.db.kysely.selectFrom('companies').selectAll().execute()).toHaveLength(0);
    expect(h.sim.stats.tokenExchanges).toBe(1);
    expect(await h.rawDump()).not.toMatch(SIM_TOKEN_PATTERN);
    expect((await h.installations.getLocation('L1'))?.tokens?.accessToken).toMatch(SIM_TOKEN_PATTERN);
  });

  it('GET /oauth/callback › no state (marketplace-started install) › accepted', async () => {
    h = await createOAuthHarness(dialect);
    seedLocation();
    const code = h.sim.createAuthCode({ userType: 'Location', companyId: 'C1', locationId: 'L1' });

    const res = await request(h.app).get(`/oauth/callback?code=${code}`);

    expect(res.status).toBe(200);
    expect((await h.installations.getLocation('L1'))?.status).toBe('active');
  });

  it('GET /oauth/callback › tampered state › 400 page saying so, code not exchanged, nothing stored', async () => {
    h = await createOAuthHarness(dialect);
    seedLocation();
    const agent = request.agent(h.app);
    const back = await consent(agent, 'L1');
    const state = back.searchParams.get('state')!;
    back.searchParams.set('state', `${state.slice(0, -2)}xx`);

    const res = await agent.get(`/oauth/callback${back.search}`);

    expect(res.status).toBe(400);
    expect(res.type).toBe('text/html');
    expect(res.text).toMatch(/not valid/);
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    expect(h.sim.stats.tokenExchanges).toBe(0);
    expect(await h.db.kysely.selectFrom('locations').selectAll().execute()).toHaveLength(0);
  });

  it('GET /oauth/callback › state issued to another browser › 400, nothing stored', async () => {
    h = await createOAuthHarness(dialect);
    seedLocation();
    const back = await consent(request.agent(h.app), 'L1');

    const res = await request.agent(h.app).get(`/oauth/callback${back.search}`);

    expect(res.status).toBe(400);
    expect(res.text).toMatch(/not started in this browser/);
    expect(await h.db.kysely.selectFrom('locations').selectAll().execute()).toHaveLength(0);
  });

  it('GET /oauth/callback › same state used twice › second refused', async () => {
    h = await createOAuthHarness(dialect);
    seedLocation();
    const agent = request.agent(h.app);
    const back = await consent(agent, 'L1');
    expect((await agent.get(`/oauth/callback${back.search}`)).status).toBe(200);

    const again = await agent.get(`/oauth/callback${back.search}`);

    expect(again.status).toBe(400);
    expect(h.sim.stats.tokenExchanges).toBe(1);
  });

  it('GET /oauth/callback › code reused › GHL\'s error on a 400 page, first install intact', async () => {
    h = await createOAuthHarness(dialect);
    seedLocation();
    const code = h.sim.createAuthCode({ userType: 'Location', companyId: 'C1', locationId: 'L1' });
    await request(h.app).get(`/oauth/callback?code=${code}`);

    const res = await request(h.app).get(`/oauth/callback?code=${code}`);

    expect(res.status).toBe(400);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('authorization code has already been used');
    expect(res.text).not.toMatch(/UpstreamError|at .*\.ts:\d+/);
    expect((await h.installations.getLocation('L1'))?.status).toBe('active');
  });

  it('GET /oauth/callback › unknown code › GHL\'s invalid_grant shown', async () => {
    h = await createOAuthHarness(dialect);

    const res = await request(h.app).get('/oauth/callback?code=not-a-real-code');

    expect(res.status).toBe(400);
    expect(res.text).toContain('authorization code is invalid');
  });

  it('GET /oauth/callback › no code › 400 page', async () => {
    h = await createOAuthHarness(dialect);

    const res = await request(h.app).get('/oauth/callback');

    expect(res.status).toBe(400);
    expect(res.text).toMatch(/did not send an authorization code/);
  });

  it('GET /oauth/callback › company bulk install of three locations › company plus three company-sourced locations', async () => {
    h = await createOAuthHarness(dialect, { file: true });
    h.sim.addCompany({ id: 'C1' });
    for (const id of ['L1', 'L2', 'L3', 'L4']) h.sim.addLocation({ id, companyId: 'C1' });
    const code = h.sim.createAuthCode({ userType: 'Company', companyId: 'C1', approvedLocations: ['L1', 'L2', 'L3'] });

    const res = await request(h.app).get(`/oauth/callback?code=${code}`);

    expect(res.status).toBe(200);
    expect(res.text).toMatch(/agency \(C1\) and 3 sub-accounts/);
    const companies = await h.db.kysely.selectFrom('companies').selectAll().execute();
    expect(companies).toMatchObject([{ company_id: 'C1', status: 'active' }]);
    const locations = await h.db.kysely.selectFrom('locations').selectAll().orderBy('location_id').execute();
    expect(locations.map((l) => [l.location_id, l.company_id, l.status, l.token_source])).toEqual([
      ['L1', 'C1', 'active', 'company'],
      ['L2', 'C1', 'active', 'company'],
      ['L3', 'C1', 'active', 'company'],
    ]);
    expect(h.sim.stats.locationTokens).toBe(3);
    const mints = h.sim.requests.filter((r) => r.path === '/oauth/locationToken');
    expect(mints.every((r) => r.contentType?.startsWith('application/x-www-form-urlencoded'))).toBe(true);
    expect(await h.rawDump()).not.toMatch(SIM_TOKEN_PATTERN);
  });

  it('GET /oauth/callback › company token without approvedLocations › installed locations from GHL, with names escaped', async () => {
    h = await createOAuthHarness(dialect);
    h.sim.addCompany({ id: 'C1' });
    h.sim.addLocation({ id: 'L1', companyId: 'C1', name: '<b>חנות</b>' });
    h.sim.addLocation({ id: 'L2', companyId: 'C1', name: 'Two' });
    h.sim.addLocation({ id: 'L3', companyId: 'C1', name: 'Not installed' });
    h.sim.installApp('L1');
    h.sim.installApp('L2');
    const code = h.sim.createAuthCode({ userType: 'Company', companyId: 'C1' });

    const res = await request(h.app).get(`/oauth/callback?code=${code}`);

    expect(res.status).toBe(200);
    expect(res.text).toContain('&#60;b&#62;חנות&#60;/b&#62; (L1)');
    expect(res.text).not.toContain('<b>חנות');
    const locations = await h.db.kysely.selectFrom('locations').select(['location_id', 'name']).orderBy('location_id').execute();
    expect(locations).toEqual([
      { location_id: 'L1', name: '<b>חנות</b>' },
      { location_id: 'L2', name: 'Two' },
    ]);
  });

  it('GET /oauth/callback › the same company installed twice › still one company and the same locations', async () => {
    h = await createOAuthHarness(dialect);
    h.sim.addCompany({ id: 'C1' });
    for (const id of ['L1', 'L2']) h.sim.addLocation({ id, companyId: 'C1' });
    for (let i = 0; i < 2; i += 1) {
      const code = h.sim.createAuthCode({ userType: 'Company', companyId: 'C1', approvedLocations: ['L1', 'L2'] });
      expect((await request(h.app).get(`/oauth/callback?code=${code}`)).status).toBe(200);
    }

    expect(await h.db.kysely.selectFrom('companies').selectAll().execute()).toHaveLength(1);
    expect(await h.db.kysely.selectFrom('locations').selectAll().execute()).toHaveLength(2);
  });

  it('GET /oauth/callback › one approved location suspended › others connected, the failure shown', async () => {
    h = await createOAuthHarness(dialect);
    h.sim.addCompany({ id: 'C1' });
    for (const id of ['L1', 'L2']) h.sim.addLocation({ id, companyId: 'C1' });
    const code = h.sim.createAuthCode({ userType: 'Company', companyId: 'C1', approvedLocations: ['L1', 'L2'] });
    h.sim.deactivateLocation('L2');

    const res = await request(h.app).get(`/oauth/callback?code=${code}`);

    expect(res.status).toBe(200);
    expect(res.text).toContain('L2: Location is not active');
    const locations = await h.db.kysely.selectFrom('locations').select('location_id').execute();
    expect(locations).toEqual([{ location_id: 'L1' }]);
  });
});
