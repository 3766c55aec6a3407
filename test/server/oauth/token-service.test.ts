import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../server/errors';
import { InstallationRepository } from '../../../server/db/repositories/installation-repository';
import { ACTIVE_STATUS_CACHE_MS, TokenService } from '../../../server/oauth/token-service';
import { SecretBox } from '../../../server/security/secret-box';
import { createTestDb, testDialects } from '../../support/test-db';
import { createOAuthHarness, PUBLIC_URL, type OAuthHarness } from '../../support/ghl-oauth-harness';
import { InstallService } from '../../../server/oauth/install-service';

describe.each(testDialects())('TokenService on %s', (dialect) => {
  let h: OAuthHarness;
  afterEach(async () => h?.close());

  /** A location installed through a real code exchange at the simulator. */
  async function installLocation(locationId = 'L1', companyId = 'C1') {
    if (!h.sim.getLocation(locationId)) {
      h.sim.addCompany({ id: companyId });
      h.sim.addLocation({ id: locationId, companyId });
    }
    const code = h.sim.createAuthCode({ userType: 'Location', companyId, locationId });
    const token = await h.oauth.exchangeCode({ code, redirectUri: `${PUBLIC_URL}/oauth/callback` });
    await installer().storeExchangedToken(token);
  }

  async function installCompany(companyId: string, locationIds: string[]) {
    h.sim.addCompany({ id: companyId });
    for (const id of locationIds) h.sim.addLocation({ id, companyId });
    const code = h.sim.createAuthCode({ userType: 'Company', companyId, approvedLocations: locationIds });
    const token = await h.oauth.exchangeCode({ code, redirectUri: `${PUBLIC_URL}/oauth/callback` });
    return installer().storeExchangedToken(token);
  }

  function installer() {
    return new InstallService({ installations: h.installations, tokens: h.tokens, oauth: h.oauth, appId: h.config.ghl.appId, logger: h.logger });
  }

  async function expireStored(table: 'locations' | 'companies' = 'locations') {
    await h.db.kysely.updateTable(table).set({ token_expires_at: Date.now() - 1000 }).execute();
  }

  it('getAccessToken › token fresh › stored token returned without calling GHL', async () => {
    h = await createOAuthHarness(dialect);
    await installLocation();
    const before = h.sim.requests.length;

    const token = await h.tokens.getAccessToken('L1');

    expect(token).toBe((await h.installations.getLocation('L1'))?.tokens?.accessToken);
    expect(h.sim.requests.length).toBe(before);
  });

  it('getAccessToken › 20 concurrent calls with an expired token › exactly one refresh, all get the new token', async () => {
    h = await createOAuthHarness(dialect);
    await installLocation();
    const old = (await h.installations.getLocation('L1'))!.tokens!;
    await expireStored();

    const tokens = await Promise.all(Array.from({ length: 20 }, () => h.tokens.getAccessToken('L1')));

    expect(h.sim.stats.refreshes).toBe(1);
    const stored = (await h.installations.getLocation('L1'))!;
    expect(new Set(tokens)).toEqual(new Set([stored.tokens!.accessToken]));
    expect(stored.tokens!.accessToken).not.toBe(old.accessToken);
    expect(stored.tokens!.refreshToken).not.toBe(old.refreshToken);
    expect(stored.tokens!.expiresAt).toBeGreaterThan(Date.now() + 60 * 60 * 1000);
    expect(stored.refreshLockUntil).toBe(0);
  });

  it('getAccessToken › two services over one database, 10 calls each › exactly one refresh', async () => {
    h = await createOAuthHarness(dialect);
    await installLocation();
    await expireStored();
    const other = new TokenService({ installations: h.installations, oauth: h.oauth, logger: h.logger, pollMs: 10 });

    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? other : h.tokens).getAccessToken('L1')),
    );

    expect(h.sim.stats.refreshes).toBe(1);
    expect(new Set(tokens).size).toBe(1);
  });

  it('isLocationParked › active, then parked by another process › active trusted for a second, parked never kept', async () => {
    const clock = { now: Date.now() };
    h = await createOAuthHarness(dialect, { tokenOptions: { now: () => clock.now } });
    await installLocation();
    const reads = () => h.db.kysely.selectFrom('locations').select('status').execute();

    expect(await h.tokens.isLocationParked('L1')).toBe(false);
    await h.installations.markStatus('location', 'L1', 'needs_reconnect', 'elsewhere', clock.now);
    const stillTrusted = await h.tokens.isLocationParked('L1');
    clock.now += ACTIVE_STATUS_CACHE_MS;
    const seen = await h.tokens.isLocationParked('L1');
    await h.db.kysely.updateTable('locations').set({ status: 'active', status_reason: null }).execute();
    const reconnected = await h.tokens.isLocationParked('L1');

    expect(stillTrusted).toBe(false);
    expect(seen).toBe(true);
    expect(reconnected).toBe(false);
    expect(await reads()).toEqual([{ status: 'active' }]);
  });

  it('isLocationParked › a token call found the location parked › the next check reads the row again', async () => {
    h = await createOAuthHarness(dialect);
    await installLocation();
    expect(await h.tokens.isLocationParked('L1')).toBe(false);
    await h.installations.markStatus('location', 'L1', 'needs_reconnect', 'elsewhere', Date.now());

    await expect(h.tokens.getAccessToken('L1')).rejects.toMatchObject({ kind: 'needs_reconnect' });

    expect(await h.tokens.isLocationParked('L1')).toBe(true);
  });

  it('getAccessToken › token refreshed by another process › the new token at once', async () => {
    h = await createOAuthHarness(dialect);
    await installLocation();
    const before = await h.tokens.getAccessToken('L1');
    // Another process: its own repository (and remembered tokens) over the same database.
    const installations = new InstallationRepository(h.db, new SecretBox(h.config.encryption.key));
    const other = new TokenService({ installations, oauth: h.oauth, logger: h.logger });
    await expireStored();

    const refreshedElsewhere = await other.getAccessToken('L1');
    const after = await h.tokens.getAccessToken('L1');

    expect(refreshedElsewhere).not.toBe(before);
    expect(after).toBe(refreshedElsewhere);
    expect(h.sim.stats.refreshes).toBe(1);
  });

  it('refreshAfterUnauthorized › stored token already newer than the failed one › stored token, no refresh', async () => {
    h = await createOAuthHarness(dialect);
    await installLocation();
    const current = await h.tokens.getAccessToken('L1');

    const token = await h.tokens.refreshAfterUnauthorized('L1', 'an-older-token');

    expect(token).toBe(current);
    expect(h.sim.stats.refreshes).toBe(0);
  });

  it('refreshAfterUnauthorized › 10 concurrent 401s on the current token › one refresh and a working token', async () => {
    h = await createOAuthHarness(dialect);
    await installLocation();
    const failed = await h.tokens.getAccessToken('L1');
    h.sim.expireAccessTokens();

    const tokens = await Promise.all(Array.from({ length: 10 }, () => h.tokens.refreshAfterUnauthorized('L1', failed)));

    expect(h.sim.stats.refreshes).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(failed);
    const res = await fetch(`${h.simUrl}/contacts/search/duplicate?locationId=L1&email=a%40b.c`, {
      headers: { Authorization: `Bearer ${tokens[0]}`, Version: '2021-07-28' },
    });
    expect(res.status).not.toBe(401);
  });

  it('getAccessToken › refresh token revoked › needs_reconnect stored and later calls make no request', async () => {
    h = await createOAuthHarness(dialect);
    await installLocation();
    await expireStored();
    h.sim.revokeRefreshTokens('L1');

    const first = await h.tokens.getAccessToken('L1').catch((e: unknown) => e);
    const requestsAfterFirst = h.sim.requests.length;
    const later = await Promise.allSettled(Array.from({ length: 10 }, () => h.tokens.getAccessToken('L1')));
    const afterUnauthorized = await h.tokens.refreshAfterUnauthorized('L1', 'x').catch((e: unknown) => e);

    expect(first).toBeInstanceOf(UpstreamError);
    expect((first as UpstreamError).kind).toBe('needs_reconnect');
    expect(h.sim.requests.filter((r) => r.path === '/oauth/token')).toHaveLength(2); // the install's exchange + one refresh
    expect(later.every((r) => r.status === 'rejected' && (r.reason as UpstreamError).kind === 'needs_reconnect')).toBe(true);
    expect((afterUnauthorized as UpstreamError).kind).toBe('needs_reconnect');
    expect(h.sim.requests.length).toBe(requestsAfterFirst);
    const stored = await h.installations.getLocation('L1');
    expect(stored).toMatchObject({ status: 'needs_reconnect', refreshLockUntil: 0 });
    expect(stored?.statusReason).toMatch(/invalid_grant/);
    expect(await h.tokens.isLocationParked('L1')).toBe(true);
  });

  it('getAccessToken › location suspended at GHL › needs_reconnect with GHL\'s reason', async () => {
    h = await createOAuthHarness(dialect);
    await installLocation();
    await expireStored();
    h.sim.deactivateLocation('L1');

    await expect(h.tokens.getAccessToken('L1')).rejects.toMatchObject({ kind: 'needs_reconnect' });

    expect((await h.installations.getLocation('L1'))?.statusReason).toMatch(/Location is not active/);
  });

  it('getAccessToken › GHL token endpoint failing › transient error, lease released, location still active', async () => {
    h = await createOAuthHarness(dialect);
    await installLocation();
    await expireStored();
    h.sim.setFaults({ errorRate: 1, tokenEndpoint: true });

    await expect(h.tokens.getAccessToken('L1')).rejects.toMatchObject({ kind: 'transient' });
    expect(await h.installations.getLocation('L1')).toMatchObject({ status: 'active', refreshLockUntil: 0 });
    h.sim.resetFaults();
    const token = await h.tokens.getAccessToken('L1');

    expect(token).toBe((await h.installations.getLocation('L1'))?.tokens?.accessToken);
  });

  it('getAccessToken › location not installed or uninstalled › needs_reconnect without a request', async () => {
    h = await createOAuthHarness(dialect);
    await installLocation();
    await h.installations.uninstallLocation('L1', Date.now());
    const before = h.sim.requests.length;

    await expect(h.tokens.getAccessToken('L1')).rejects.toMatchObject({ kind: 'needs_reconnect' });
    await expect(h.tokens.getAccessToken('nope')).rejects.toMatchObject({ kind: 'needs_reconnect' });

    expect(h.sim.requests.length).toBe(before);
    expect(await h.tokens.isLocationParked('nope')).toBe(true);
  });

  it('getAccessToken › company-sourced locations and company token all expired › one company refresh, one mint each', async () => {
    h = await createOAuthHarness(dialect);
    await installCompany('C1', ['L1', 'L2', 'L3']);
    const minted = h.sim.stats.locationTokens;
    await expireStored('locations');
    await expireStored('companies');

    const tokens = await Promise.all(
      ['L1', 'L2', 'L3'].flatMap((id) => Array.from({ length: 5 }, () => h.tokens.getAccessToken(id))),
    );

    expect(h.sim.stats.refreshes).toBe(1);
    expect(h.sim.stats.locationTokens - minted).toBe(3);
    expect(new Set(tokens).size).toBe(3);
    for (const id of ['L1', 'L2', 'L3']) {
      expect(await h.installations.getLocation(id)).toMatchObject({ status: 'active', tokenSource: 'company' });
    }
  });

  it('getAccessToken › own refresh token dead but company token stored › minted from the company token', async () => {
    h = await createOAuthHarness(dialect);
    await installCompany('C1', ['L1']);
    await installLocation('L1', 'C1');
    expect((await h.installations.getLocation('L1'))?.tokenSource).toBe('location');
    await expireStored('locations');
    h.sim.revokeRefreshTokens('L1');
    const minted = h.sim.stats.locationTokens;

    const token = await h.tokens.getAccessToken('L1');

    expect(h.sim.stats.locationTokens - minted).toBe(1);
    expect(await h.installations.getLocation('L1')).toMatchObject({ status: 'active', tokenSource: 'company' });
    expect(token).toBe((await h.installations.getLocation('L1'))?.tokens?.accessToken);
  });

  it('getAccessToken › company grant revoked › company and location need reconnect', async () => {
    h = await createOAuthHarness(dialect);
    await installCompany('C1', ['L1']);
    await expireStored('locations');
    await expireStored('companies');
    h.sim.revokeRefreshTokens('C1');

    await expect(h.tokens.getAccessToken('L1')).rejects.toMatchObject({ kind: 'needs_reconnect' });

    expect((await h.installations.getCompany('C1'))?.status).toBe('needs_reconnect');
    expect(await h.installations.getLocation('L1')).toMatchObject({ status: 'needs_reconnect' });
  });
});

describe('TokenService wiring', () => {
  it('TokenService › needs no network for a parked location › isLocationParked reads the database only', async () => {
    const db = await createTestDb('sqlite');
    try {
      const { InstallationRepository } = await import('../../../server/db/repositories/installation-repository');
      const { SecretBox } = await import('../../../server/security/secret-box');
      const { createLogger } = await import('../../../server/logger');
      const { randomBytes } = await import('node:crypto');
      const installations = new InstallationRepository(db, new SecretBox(randomBytes(32)));
      await installations.recordPendingLocationInstall({ locationId: 'L1', companyId: null, now: 1 });
      const calls: string[] = [];
      const oauth = {
        refresh: async () => { calls.push('refresh'); throw new Error('no'); },
        locationToken: async () => { calls.push('mint'); throw new Error('no'); },
      };
      const service = new TokenService({ installations, oauth, logger: createLogger('silent') });

      expect(await service.isLocationParked('L1')).toBe(true);
      await expect(service.getAccessToken('L1')).rejects.toMatchObject({ kind: 'needs_reconnect' });
      expect(calls).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});
