import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../../server/errors';
import { createLogger } from '../../../../server/logger';
import { GhlOAuthClient, isPermanentGrantFailure } from '../../../../server/integrations/ghl/ghl-oauth-client';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, startGhlWorld, type GhlWorld } from './ghl-test-kit';

async function failure(fn: () => Promise<unknown>): Promise<UpstreamError> {
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
}

describe('GhlOAuthClient › against the GHL simulator', () => {
  let world: GhlWorld;

  beforeEach(async () => {
    world = await startGhlWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  const tokenRequests = () => world.sim.requests.filter((r) => r.path === '/oauth/token');

  it('exchangeCode › Location code › form-encoded POST without Version, parsed Location token', async () => {
    const location = world.sim.addLocation({ companyId: world.companyId });
    const code = world.sim.createAuthCode({ userType: 'Location', companyId: world.companyId, locationId: location.id });

    const token = await world.oauth.exchangeCode({ code, redirectUri: REDIRECT_URI });

    expect(token).toMatchObject({ userType: 'Location', locationId: location.id, companyId: world.companyId, token_type: 'Bearer' });
    expect(token.access_token).toMatch(/^sim-at-/);
    expect(token.refresh_token).toMatch(/^sim-rt-/);
    expect(token.expires_in).toBeGreaterThan(0);
    const [req] = tokenRequests();
    expect(req).toMatchObject({ method: 'POST', status: 200, versionHeader: undefined });
    expect(req!.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(req!.body).toEqual({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
    });
  });

  it('exchangeCode › bulk Company install › Company token with approvedLocations', async () => {
    const l1 = world.sim.addLocation({ companyId: world.companyId });
    const l2 = world.sim.addLocation({ companyId: world.companyId });
    const code = world.sim.createAuthCode({
      userType: 'Company',
      companyId: world.companyId,
      approvedLocations: [l1.id, l2.id],
    });

    const token = await world.oauth.exchangeCode({ code, redirectUri: REDIRECT_URI, userType: 'Company' });

    expect(token.userType).toBe('Company');
    expect(token.locationId).toBeUndefined();
    expect(token.approvedLocations).toEqual([l1.id, l2.id]);
    expect(token.isBulkInstallation).toBe(true);
    expect(tokenRequests()[0]!.body).toMatchObject({ user_type: 'Company' });
  });

  it('exchangeCode › code used twice › permanent invalid_grant, a permanent grant failure', async () => {
    const location = world.sim.addLocation({ companyId: world.companyId });
    const code = world.sim.createAuthCode({ userType: 'Location', companyId: world.companyId, locationId: location.id });
    await world.oauth.exchangeCode({ code, redirectUri: REDIRECT_URI });

    const err = await failure(() => world.oauth.exchangeCode({ code, redirectUri: REDIRECT_URI }));

    expect(err.kind).toBe('permanent');
    expect(err.message).toContain('invalid_grant');
    expect(err.body).toMatchObject({ error: 'invalid_grant' });
    expect(isPermanentGrantFailure(err)).toBe(true);
  });

  it('refresh › valid refresh token › new token pair, form-encoded with user_type', async () => {
    const location = await world.addInstalledLocation();
    const before = world.tokens.tokens.get(location)!;

    const token = await world.oauth.refresh({ refreshToken: before.refresh, userType: 'Location' });

    expect(token.access_token).not.toBe(before.access);
    expect(token.locationId).toBe(location);
    expect(tokenRequests().at(-1)!.body).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: before.refresh,
      user_type: 'Location',
    });
  });

  it('refresh › revoked refresh token › permanent grant failure', async () => {
    const location = await world.addInstalledLocation();
    world.sim.revokeRefreshTokens(location);

    const err = await failure(() =>
      world.oauth.refresh({ refreshToken: world.tokens.tokens.get(location)!.refresh, userType: 'Location' }),
    );

    expect(err.kind).toBe('permanent');
    expect(isPermanentGrantFailure(err)).toBe(true);
  });

  it('refresh › location deactivated › "Location is not active" is a permanent grant failure', async () => {
    const location = await world.addInstalledLocation();
    world.sim.deactivateLocation(location);

    const err = await failure(() =>
      world.oauth.refresh({ refreshToken: world.tokens.tokens.get(location)!.refresh, userType: 'Location' }),
    );

    expect(err.message).toContain('Location is not active');
    expect(isPermanentGrantFailure(err)).toBe(true);
  });

  it('refresh › wrong client secret › auth, not a grant failure', async () => {
    const location = await world.addInstalledLocation();
    const wrong = new GhlOAuthClient({
      baseUrl: world.url,
      clientId: CLIENT_ID,
      clientSecret: 'wrong-secret',
      timeoutMs: 5000,
      logger: createLogger('silent'),
    });

    const err = await failure(() =>
      wrong.refresh({ refreshToken: world.tokens.tokens.get(location)!.refresh, userType: 'Location' }),
    );

    expect(err.kind).toBe('auth');
    expect(err.message).not.toContain('wrong-secret');
    expect(isPermanentGrantFailure(err)).toBe(false);
  });

  it('refresh › token endpoint fails with 500 › transient, not a grant failure', async () => {
    const location = await world.addInstalledLocation();
    world.sim.setFaults({ errorRate: 1, tokenEndpoint: true });

    const err = await failure(() =>
      world.oauth.refresh({ refreshToken: world.tokens.tokens.get(location)!.refresh, userType: 'Location' }),
    );

    expect(err.kind).toBe('transient');
    expect(isPermanentGrantFailure(err)).toBe(false);
  });

  it('locationToken › Company token › form-encoded with Version and bearer, parsed as a Location token', async () => {
    const location = world.sim.addLocation({ companyId: world.companyId });
    const code = world.sim.createAuthCode({ userType: 'Company', companyId: world.companyId, approvedLocations: [location.id] });
    const company = await world.oauth.exchangeCode({ code, redirectUri: REDIRECT_URI, userType: 'Company' });

    const token = await world.oauth.locationToken({
      companyAccessToken: company.access_token,
      companyId: world.companyId,
      locationId: location.id,
    });

    expect(token).toMatchObject({ userType: 'Location', locationId: location.id });
    expect(token.access_token).not.toBe(company.access_token);
    const req = world.sim.requests.find((r) => r.path === '/oauth/locationToken')!;
    expect(req).toMatchObject({ method: 'POST', versionHeader: '2021-07-28', status: 200, resourceId: world.companyId });
    expect(req.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(req.body).toEqual({ companyId: world.companyId, locationId: location.id });
  });

  it('installedLocations › company with one installed location › lists both with isInstalled', async () => {
    const installed = world.sim.addLocation({ companyId: world.companyId, name: 'מרפאה' });
    const other = world.sim.addLocation({ companyId: world.companyId });
    const code = world.sim.createAuthCode({ userType: 'Company', companyId: world.companyId, approvedLocations: [installed.id] });
    const company = await world.oauth.exchangeCode({ code, redirectUri: REDIRECT_URI, userType: 'Company' });

    const result = await world.oauth.installedLocations({
      companyAccessToken: company.access_token,
      companyId: world.companyId,
      appId: CLIENT_ID.split('-')[0]!,
      limit: 50,
    });

    expect(result.locations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ _id: installed.id, name: 'מרפאה', isInstalled: true }),
        expect.objectContaining({ _id: other.id, isInstalled: false }),
      ]),
    );
    expect(result.count).toBe(2);
    const req = world.sim.requests.find((r) => r.path === '/oauth/installedLocations')!;
    expect(req).toMatchObject({ method: 'GET', versionHeader: '2021-07-28' });
    expect(req.query).toEqual({ companyId: world.companyId, appId: 'testapp', limit: '50' });
  });

  it('logging › debug level › no token or secret reaches the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const oauth = new GhlOAuthClient({
      baseUrl: world.url,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      timeoutMs: 5000,
      logger: createLogger('debug', sink),
    });
    const location = world.sim.addLocation({ companyId: world.companyId });
    const code = world.sim.createAuthCode({ userType: 'Location', companyId: world.companyId, locationId: location.id });

    const token = await oauth.exchangeCode({ code, redirectUri: REDIRECT_URI });
    await oauth.refresh({ refreshToken: 'not-a-refresh-token', userType: 'Location' }).catch(() => undefined);

    const log = lines.join('');
    expect(log).toContain('ghl oauth call');
    for (const secret of [token.access_token, token.refresh_token!, CLIENT_SECRET, code, 'not-a-refresh-token'])
      expect(log).not.toContain(secret);
  });
});
