import { afterEach, describe, expect, it } from 'vitest';
import {
  APP_ID,
  CLIENT_ID,
  CLIENT_SECRET,
  apiCall,
  exchangeCode,
  fakeClock,
  locationSession,
  postForm,
  refresh,
  startSimulator,
  type Harness,
  type TokenBody,
} from './ghl-simulator-fixtures';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(options: Parameters<typeof startSimulator>[0] = {}) {
  harness = await startSimulator(options);
  return harness;
}

describe('GHL simulator /oauth/token', () => {
  it('authorization_code › Location install › answers GetAccessCodeSuccessfulResponseDto', async () => {
    const h = await start();
    const location = h.sim.addLocation({ name: 'מרפאת שיניים' });
    const user = h.sim.addUser(location.id);
    const code = h.sim.createAuthCode({ userType: 'Location', companyId: location.companyId, locationId: location.id });

    const response = await exchangeCode(h, code, { user_type: 'Location' });

    expect(response.status).toBe(200);
    const body = (await response.json()) as TokenBody;
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 86399,
      userType: 'Location',
      locationId: location.id,
      companyId: location.companyId,
      userId: user.id,
    });
    expect(body.access_token).toEqual(expect.any(String));
    expect(body.refresh_token).toEqual(expect.any(String));
    expect(body.scope).toContain('contacts.write');
    expect(h.sim.stats.tokenExchanges).toBe(1);
    expect(h.sim.getLocation(location.id)?.installed).toBe(true);
    expect(h.sim.requests.at(-1)).toMatchObject({ method: 'POST', path: '/oauth/token', status: 200 });
  });

  it('authorization_code › same code twice › second is 400 invalid_grant', async () => {
    const h = await start();
    const location = h.sim.addLocation();
    const code = h.sim.createAuthCode({ userType: 'Location', companyId: location.companyId, locationId: location.id });
    await exchangeCode(h, code);

    const second = await exchangeCode(h, code);

    expect(second.status).toBe(400);
    expect(await second.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.any(String) });
    expect(h.sim.stats.tokenExchanges).toBe(1);
  });

  it('client check › wrong secret › 401 invalid_client', async () => {
    const h = await start();
    const location = h.sim.addLocation();
    const code = h.sim.createAuthCode({ userType: 'Location', companyId: location.companyId, locationId: location.id });

    const response = await postForm(`${h.url}/oauth/token`, {
      client_id: CLIENT_ID,
      client_secret: 'wrong',
      grant_type: 'authorization_code',
      code,
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('content type › JSON body › rejected with an OAuth error and no token', async () => {
    const h = await start();
    const location = h.sim.addLocation();
    const code = h.sim.createAuthCode({ userType: 'Location', companyId: location.companyId, locationId: location.id });

    const response = await fetch(`${h.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'authorization_code', code }),
    });

    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
    expect(h.sim.stats.tokenExchanges).toBe(0);
    expect((await exchangeCode(h, code)).status).toBe(200);
  });

  it('validation › missing grant_type › 422 naming the field', async () => {
    const h = await start();

    const response = await postForm(`${h.url}/oauth/token`, { client_id: CLIENT_ID, client_secret: CLIENT_SECRET });

    expect(response.status).toBe(422);
    expect(((await response.json()) as { message: string[] }).message).toContain('grant_type should not be empty');
  });

  it('user_type › Company asked with a Location code › Company token', async () => {
    const h = await start();
    const location = h.sim.addLocation();
    const code = h.sim.createAuthCode({ userType: 'Location', companyId: location.companyId, locationId: location.id });

    const body = (await (await exchangeCode(h, code, { user_type: 'Company' })).json()) as TokenBody;

    expect(body.userType).toBe('Company');
    expect(body.companyId).toBe(location.companyId);
    expect(body.locationId).toBeUndefined();
  });

  it('refresh_token › rotation › new pair, old token replayed inside 30 s, invalid_grant after', async () => {
    const clock = fakeClock();
    const h = await start({ now: clock.now });
    const { token } = await locationSession(h);

    const first = await refresh(h, token.refresh_token);
    const firstBody = (await first.json()) as TokenBody;
    clock.advance(29_000);
    const replay = (await (await refresh(h, token.refresh_token)).json()) as TokenBody;
    clock.advance(2_000);
    const late = await refresh(h, token.refresh_token);

    expect(first.status).toBe(200);
    expect(firstBody.refresh_token).not.toBe(token.refresh_token);
    expect(firstBody.access_token).not.toBe(token.access_token);
    expect(replay).toEqual(firstBody);
    expect(late.status).toBe(400);
    expect(await late.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(h, firstBody.refresh_token)).status).toBe(200);
    expect(h.sim.stats.refreshes).toBe(3);
  });

  it('refresh_token › two concurrent refreshes with one token › both get the same new pair', async () => {
    const h = await start();
    const { token } = await locationSession(h);

    const [a, b] = await Promise.all([refresh(h, token.refresh_token), refresh(h, token.refresh_token)]);

    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(await a.json()).toEqual(await b.json());
  });

  it('access token › past expires_in › 401 Invalid JWT, refreshed token works', async () => {
    const clock = fakeClock();
    const h = await start({ now: clock.now, accessTokenTtlSeconds: 60 });
    const session = await locationSession(h);
    clock.advance(61_000);

    const expired = await session.call('GET', `/locations/${session.location.id}`);
    const renewed = (await (await refresh(h, session.token.refresh_token)).json()) as TokenBody;
    const retried = await apiCall(h, renewed.access_token, 'GET', `/locations/${session.location.id}`);

    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ statusCode: 401, message: 'Invalid JWT' });
    expect(retried.status).toBe(200);
  });

  it('expireAccessTokens › every issued token › 401 on use', async () => {
    const h = await start();
    const session = await locationSession(h);
    h.sim.expireAccessTokens();

    const response = await session.call('GET', `/locations/${session.location.id}`);

    expect(response.status).toBe(401);
  });

  it('revokeRefreshTokens › one location › its refresh is invalid_grant, another location unaffected', async () => {
    const h = await start();
    const revoked = await locationSession(h);
    const other = await locationSession(h);
    h.sim.revokeRefreshTokens(revoked.location.id);

    const refused = await refresh(h, revoked.token.refresh_token);
    const fine = await refresh(h, other.token.refresh_token);

    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });
    expect(fine.status).toBe(200);
  });

  it('deactivateLocation › refresh › 400 Location is not active', async () => {
    const h = await start();
    const session = await locationSession(h);
    h.sim.deactivateLocation(session.location.id);

    const response = await refresh(h, session.token.refresh_token);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_grant', error_description: 'Location is not active' });
  });
});

describe('GHL simulator Company tokens', () => {
  async function companyInstall(h: Harness) {
    const company = h.sim.addCompany({ name: 'Agency' });
    const approved = h.sim.addLocation({ companyId: company.id, name: 'Approved' });
    const other = h.sim.addLocation({ companyId: company.id, name: 'Not installed' });
    const code = h.sim.createAuthCode({ userType: 'Company', companyId: company.id, approvedLocations: [approved.id] });
    const token = (await (await exchangeCode(h, code, { user_type: 'Company' })).json()) as TokenBody;
    return { company, approved, other, token };
  }

  it('authorization_code › bulk install › Company token with approvedLocations', async () => {
    const h = await start();

    const { company, approved, token } = await companyInstall(h);

    expect(token).toMatchObject({
      userType: 'Company',
      companyId: company.id,
      approvedLocations: [approved.id],
      isBulkInstallation: true,
    });
  });

  it('locationToken › approved location › Location token with refresh_token that reaches contacts', async () => {
    const h = await start();
    const { company, approved, token } = await companyInstall(h);

    const response = await postForm(
      `${h.url}/oauth/locationToken`,
      { companyId: company.id, locationId: approved.id },
      { authorization: `Bearer ${token.access_token}`, version: '2021-07-28' },
    );
    const body = (await response.json()) as TokenBody;
    const search = await apiCall(h, body.access_token, 'POST', '/contacts/search', { locationId: approved.id });

    expect(response.status).toBe(200);
    expect(body).toMatchObject({ locationId: approved.id, token_type: 'Bearer', refresh_token: expect.any(String) });
    expect(search.status).toBe(200);
    expect(h.sim.stats.locationTokens).toBe(1);
    expect(h.sim.requests.find((r) => r.path === '/oauth/locationToken')).toMatchObject({
      contentType: 'application/x-www-form-urlencoded',
      versionHeader: '2021-07-28',
      resourceId: company.id,
      status: 200,
    });
  });

  it('locationToken › location not installed › 400', async () => {
    const h = await start();
    const { company, other, token } = await companyInstall(h);

    const response = await postForm(
      `${h.url}/oauth/locationToken`,
      { companyId: company.id, locationId: other.id },
      { authorization: `Bearer ${token.access_token}`, version: '2021-07-28' },
    );

    expect(response.status).toBe(400);
  });

  it('locationToken › Location bearer › 401', async () => {
    const h = await start();
    const session = await locationSession(h);

    const response = await postForm(
      `${h.url}/oauth/locationToken`,
      { companyId: session.location.companyId, locationId: session.location.id },
      { authorization: `Bearer ${session.token.access_token}`, version: '2021-07-28' },
    );

    expect(response.status).toBe(401);
  });

  it('installedLocations › company with one install › lists all with isInstalled flags', async () => {
    const h = await start();
    const { company, approved, other, token } = await companyInstall(h);

    const response = await apiCall(
      h,
      token.access_token,
      'GET',
      `/oauth/installedLocations?companyId=${company.id}&appId=${APP_ID}`,
    );

    expect(response.status).toBe(200);
    const body = (await response.json()) as { locations: { _id: string; isInstalled: boolean }[]; count: number };
    expect(body.count).toBe(2);
    expect(body.locations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ _id: approved.id, name: 'Approved', isInstalled: true }),
        expect.objectContaining({ _id: other.id, isInstalled: false }),
      ]),
    );
    expect(body).toHaveProperty('installToFutureLocations', false);
  });

  it('installedLocations › isInstalled=true and installApp › only installed ones', async () => {
    const h = await start();
    const { company, approved, other, token } = await companyInstall(h);
    h.sim.installApp(other.id);
    const third = h.sim.addLocation({ companyId: company.id });

    const body = (await (
      await apiCall(
        h,
        token.access_token,
        'GET',
        `/oauth/installedLocations?companyId=${company.id}&appId=${APP_ID}&isInstalled=true`,
      )
    ).json()) as { locations: { _id: string }[] };

    expect(body.locations.map((l) => l._id).sort()).toEqual([approved.id, other.id].sort());
    expect(body.locations.map((l) => l._id)).not.toContain(third.id);
  });

  it('installedLocations › wrong appId › 400', async () => {
    const h = await start();
    const { company, token } = await companyInstall(h);

    const response = await apiCall(
      h,
      token.access_token,
      'GET',
      `/oauth/installedLocations?companyId=${company.id}&appId=${CLIENT_ID}`,
    );

    expect(response.status).toBe(400);
  });
});

describe('GHL simulator /oauth/chooselocation', () => {
  it('consent › state and locationId › 302 to redirect_uri with a code and the state', async () => {
    const h = await start();
    h.sim.addLocation({ name: 'First' });
    const chosen = h.sim.addLocation({ name: 'Second' });
    const redirectUri = 'http://127.0.0.1:9/oauth/callback';
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: redirectUri,
      scope: 'contacts.readonly contacts.write',
      state: 'st-123',
      locationId: chosen.id,
    });

    const response = await fetch(`${h.url}/oauth/chooselocation?${query}`, { redirect: 'manual' });
    const target = new URL(response.headers.get('location')!);
    const token = (await (
      await exchangeCode(h, target.searchParams.get('code')!, { redirect_uri: redirectUri })
    ).json()) as TokenBody;

    expect(response.status).toBe(302);
    expect(`${target.origin}${target.pathname}`).toBe(redirectUri);
    expect(target.searchParams.get('state')).toBe('st-123');
    expect(token).toMatchObject({ userType: 'Location', locationId: chosen.id, scope: 'contacts.readonly contacts.write' });
  });

  it('consent › no state, no locationId › first location, no state echoed', async () => {
    const h = await start();
    const first = h.sim.addLocation();
    const query = new URLSearchParams({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: 'http://127.0.0.1:9/cb' });

    const response = await fetch(`${h.url}/oauth/chooselocation?${query}`, { redirect: 'manual' });
    const target = new URL(response.headers.get('location')!);
    const token = (await (await exchangeCode(h, target.searchParams.get('code')!)).json()) as TokenBody;

    expect(target.searchParams.has('state')).toBe(false);
    expect(token.locationId).toBe(first.id);
  });

  it('consent › empty simulator › installs on a new sandbox location with an admin user', async () => {
    const h = await start();
    const query = new URLSearchParams({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: 'http://127.0.0.1:9/cb' });

    const response = await fetch(`${h.url}/oauth/chooselocation?${query}`, { redirect: 'manual' });
    const code = new URL(response.headers.get('location')!).searchParams.get('code')!;
    const token = (await (await exchangeCode(h, code)).json()) as TokenBody;
    const users = await apiCall(h, token.access_token, 'GET', `/users/?locationId=${token.locationId}`);

    expect(response.status).toBe(302);
    expect(h.sim.getLocation(token.locationId!)?.installed).toBe(true);
    expect(((await users.json()) as { users: { id: string }[] }).users).toEqual([
      expect.objectContaining({ id: token.userId }),
    ]);
  });

  it('consent › unknown client_id › 400 page, no redirect', async () => {
    const h = await start();
    h.sim.addLocation();
    const query = new URLSearchParams({ response_type: 'code', client_id: 'other', redirect_uri: 'http://127.0.0.1:9/cb' });

    const response = await fetch(`${h.url}/oauth/chooselocation?${query}`, { redirect: 'manual' });

    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('content-type')).toContain('text/html');
  });
});
