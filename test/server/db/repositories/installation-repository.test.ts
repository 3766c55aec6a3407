import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AWAITING_AUTHORIZATION,
  InstallationRepository,
  type TokenSet,
} from '../../../../server/db/repositories/installation-repository';
import { SecretBox } from '../../../../server/security/secret-box';
import { createTestDb, testDialects, type TestDb } from '../../../support/test-db';

const tokens = (tag: string, expiresAt = 1_000_000): TokenSet => ({
  accessToken: `access-${tag}`,
  refreshToken: `refresh-${tag}`,
  expiresAt,
  scopes: 'contacts.readonly',
});

describe.each(testDialects())('InstallationRepository on %s', (dialect) => {
  let db: TestDb;
  afterEach(async () => db?.destroy());

  async function setup() {
    db = await createTestDb(dialect);
    return new InstallationRepository(db, new SecretBox(randomBytes(32)));
  }

  it('upsertLocationInstallation › twice › one active row with the latest tokens, sealed', async () => {
    const repo = await setup();
    await repo.upsertLocationInstallation({ locationId: 'L1', companyId: 'C1', tokenSource: 'location', tokens: tokens('a'), name: 'Shop', now: 100 });

    await repo.upsertLocationInstallation({ locationId: 'L1', companyId: null, tokenSource: 'location', tokens: tokens('b'), now: 200 });

    const rows = await db.kysely.selectFrom('locations').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'active', company_id: 'C1', name: 'Shop', installed_at: 100, updated_at: 200 });
    expect(JSON.stringify(rows)).not.toMatch(/access-|refresh-/);
    expect((await repo.getLocation('L1'))?.tokens).toEqual(tokens('b'));
  });

  it('getLocation › read again, then refreshed by another process › decrypted once per stored token, new token seen at once', async () => {
    db = await createTestDb(dialect);
    const key = randomBytes(32);
    const box = new SecretBox(key);
    let opened = 0;
    const decrypt = box.decrypt.bind(box);
    box.decrypt = (sealed: string) => {
      opened += 1;
      return decrypt(sealed);
    };
    const repo = new InstallationRepository(db, box);
    // Another process: its own repository and box over the same database and key.
    const other = new InstallationRepository(db, new SecretBox(key));
    await repo.upsertLocationInstallation({ locationId: 'L1', companyId: 'C1', tokenSource: 'location', tokens: tokens('a', 500), now: 100 });

    const first = await repo.getLocation('L1');
    const again = await repo.getLocation('L1');
    const openedForA = opened;
    await other.saveRefreshedTokens('location', 'L1', tokens('b', 900), 200);
    const afterRefresh = await repo.getLocation('L1');

    expect(first?.tokens).toEqual(tokens('a', 500));
    expect(again?.tokens).toEqual(tokens('a', 500));
    expect(openedForA).toBe(2); // access and refresh token, once
    expect(afterRefresh?.tokens).toEqual(tokens('b', 900));
    expect(opened).toBe(4);
  });

  it('getLocation › expiry changed in the row only › the new expiry, from the remembered token', async () => {
    const repo = await setup();
    await repo.upsertLocationInstallation({ locationId: 'L1', companyId: 'C1', tokenSource: 'location', tokens: tokens('a', 500), now: 100 });
    await repo.getLocation('L1');

    await db.kysely.updateTable('locations').set({ token_expires_at: 42 }).execute();

    expect((await repo.getLocation('L1'))?.tokens).toEqual(tokens('a', 42));
  });

  it('recordPendingLocationInstall › then callback › pending row becomes active; pending again changes nothing', async () => {
    const repo = await setup();
    expect(await repo.recordPendingLocationInstall({ locationId: 'L1', companyId: 'C1', now: 100 })).toBe(true);
    expect(await repo.getLocation('L1')).toMatchObject({ status: 'needs_reconnect', statusReason: AWAITING_AUTHORIZATION, tokens: null });

    await repo.upsertLocationInstallation({ locationId: 'L1', companyId: 'C1', tokenSource: 'location', tokens: tokens('a'), now: 200 });
    const changed = await repo.recordPendingLocationInstall({ locationId: 'L1', companyId: 'C1', now: 300 });

    expect(changed).toBe(false);
    expect(await repo.getLocation('L1')).toMatchObject({ status: 'active', statusReason: null, tokens: tokens('a') });
  });

  it('uninstallLocation › then reinstall › tokens gone, then active with a new installed_at', async () => {
    const repo = await setup();
    await repo.upsertLocationInstallation({ locationId: 'L1', companyId: 'C1', tokenSource: 'location', tokens: tokens('a'), now: 100 });

    expect(await repo.uninstallLocation('L1', 200, 150)).toBe(true);
    expect(await repo.getLocation('L1')).toMatchObject({ status: 'uninstalled', tokens: null, uninstalledAt: 200 });
    await repo.upsertLocationInstallation({ locationId: 'L1', companyId: 'C1', tokenSource: 'location', tokens: tokens('b'), now: 300 });

    expect(await repo.getLocation('L1')).toMatchObject({ status: 'active', installedAt: 300, uninstalledAt: null });
    expect(await repo.uninstallLocation('L1', 400, 250)).toBe(false);
    expect((await repo.getLocation('L1'))?.status).toBe('active');
  });

  it('uninstallCompany › three locations › company and locations uninstalled in one go', async () => {
    const repo = await setup();
    await repo.upsertCompanyInstallation({ companyId: 'C1', tokens: tokens('c'), now: 100 });
    for (const id of ['L1', 'L2', 'L3']) {
      await repo.upsertLocationInstallation({ locationId: id, companyId: 'C1', tokenSource: 'company', tokens: tokens(id), now: 100 });
    }

    const changed = await repo.uninstallCompany('C1', 200);

    expect(changed.sort()).toEqual(['L1', 'L2', 'L3']);
    expect((await repo.getCompany('C1'))?.status).toBe('uninstalled');
    const rows = await db.kysely.selectFrom('locations').select(['status', 'access_token']).execute();
    expect(rows).toEqual(Array(3).fill({ status: 'uninstalled', access_token: null }));
  });

  it('tryAcquireRefreshLease › ten at once › exactly one wins; saveRefreshedTokens releases it', async () => {
    const repo = await setup();
    await repo.upsertLocationInstallation({ locationId: 'L1', companyId: null, tokenSource: 'location', tokens: tokens('a'), now: 100 });

    const wins = await Promise.all(Array.from({ length: 10 }, () => repo.tryAcquireRefreshLease('location', 'L1', 30_000, 1000)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await repo.tryAcquireRefreshLease('location', 'L1', 30_000, 2000)).toBe(false);

    expect(await repo.saveRefreshedTokens('location', 'L1', tokens('b'), 3000)).toBe(true);
    expect(await repo.getLocation('L1')).toMatchObject({ refreshLockUntil: 0, tokens: tokens('b') });
    expect(await repo.tryAcquireRefreshLease('location', 'L1', 30_000, 4000)).toBe(true);
  });

  it('tryAcquireRefreshLease › lease lapsed › another caller takes it', async () => {
    const repo = await setup();
    await repo.upsertCompanyInstallation({ companyId: 'C1', tokens: tokens('c'), now: 100 });
    expect(await repo.tryAcquireRefreshLease('company', 'C1', 1000, 1000)).toBe(true);

    expect(await repo.tryAcquireRefreshLease('company', 'C1', 1000, 1500)).toBe(false);
    expect(await repo.tryAcquireRefreshLease('company', 'C1', 1000, 2001)).toBe(true);
  });

  it('saveRefreshedTokens › location uninstalled meanwhile › nothing stored', async () => {
    const repo = await setup();
    await repo.upsertLocationInstallation({ locationId: 'L1', companyId: null, tokenSource: 'location', tokens: tokens('a'), now: 100 });
    await repo.tryAcquireRefreshLease('location', 'L1', 30_000, 1000);
    await repo.uninstallLocation('L1', 1500);

    expect(await repo.saveRefreshedTokens('location', 'L1', tokens('b'), 2000)).toBe(false);
    expect((await repo.getLocation('L1'))?.tokens).toBeNull();
  });

  it('markStatus › needs_reconnect with reason › stored and lease released', async () => {
    const repo = await setup();
    await repo.upsertLocationInstallation({ locationId: 'L1', companyId: null, tokenSource: 'location', tokens: tokens('a'), now: 100 });
    await repo.tryAcquireRefreshLease('location', 'L1', 30_000, 1000);

    await repo.markStatus('location', 'L1', 'needs_reconnect', 'invalid_grant', 2000);

    expect(await repo.getLocation('L1')).toMatchObject({ status: 'needs_reconnect', statusReason: 'invalid_grant', refreshLockUntil: 0 });
  });
});
