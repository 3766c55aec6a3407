import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { InstallationRepository } from '../../../server/db/repositories/installation-repository';
import { reencryptAll } from '../../../server/security/reencrypt';
import { SecretBox } from '../../../server/security/secret-box';
import { createTestDb, testDialects, type TestDb } from '../../support/test-db';

describe.each(testDialects())('reencryptAll on %s', (dialect) => {
  let db: TestDb;
  afterEach(async () => db?.destroy());

  async function seed(box: SecretBox) {
    const now = Date.now();
    const repo = new InstallationRepository(db, box);
    await repo.upsertCompanyInstallation({
      companyId: 'C1',
      tokens: { accessToken: 'company-access', refreshToken: 'company-refresh', expiresAt: now + 1000, scopes: 's' },
      now,
    });
    for (const id of ['L1', 'L2']) {
      await repo.upsertLocationInstallation({
        locationId: id,
        companyId: 'C1',
        tokenSource: 'location',
        tokens: { accessToken: `${id}-access`, refreshToken: `${id}-refresh`, expiresAt: now + 1000, scopes: 's' },
        now,
      });
    }
    await db.kysely
      .insertInto('responder_connections')
      .values({
        location_id: 'L1', client_id: 'cid', client_secret: box.encrypt('responder-secret'),
        user_token: box.encrypt('responder-user-token'), webhook_key: 'wk1', account_id: null,
        access_token: null, token_expires_at: null, created_at: now, updated_at: now,
      })
      .execute();
  }

  it('reencryptAll › rows sealed under the old key › all re-sealed and readable without the old key', async () => {
    db = await createTestDb(dialect);
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    await seed(new SecretBox(oldKey));

    const report = await reencryptAll(db, new SecretBox(newKey, [oldKey]));

    expect(report.values).toBe(2 + 4 + 2);
    expect(report.rows).toEqual({ companies: 1, locations: 2, responder_connections: 1 });
    const newOnly = new SecretBox(newKey);
    const repo = new InstallationRepository(db, newOnly);
    expect((await repo.getCompany('C1'))?.tokens?.refreshToken).toBe('company-refresh');
    expect((await repo.getLocation('L2'))?.tokens?.accessToken).toBe('L2-access');
    const conn = await db.kysely.selectFrom('responder_connections').selectAll().executeTakeFirstOrThrow();
    expect(newOnly.decrypt(conn.client_secret!)).toBe('responder-secret');
    expect(newOnly.decrypt(conn.user_token!)).toBe('responder-user-token');
    expect(conn.access_token).toBeNull();
  });

  it('reencryptAll › run twice › second run re-seals nothing', async () => {
    db = await createTestDb(dialect);
    const oldKey = randomBytes(32);
    const box = new SecretBox(randomBytes(32), [oldKey]);
    await seed(new SecretBox(oldKey));
    await reencryptAll(db, box);

    const second = await reencryptAll(db, box);

    expect(second.values).toBe(0);
    expect(second.current).toBe(8);
    expect(second.rows).toEqual({ companies: 0, locations: 0, responder_connections: 0 });
  });

  it('reencryptAll › old key not configured › fails naming the missing key and changes nothing', async () => {
    db = await createTestDb(dialect);
    await seed(new SecretBox(randomBytes(32)));
    const before = await db.kysely.selectFrom('locations').select('access_token').orderBy('location_id').execute();

    await expect(reencryptAll(db, new SecretBox(randomBytes(32)))).rejects.toThrow(/No encryption key with id/);

    const after = await db.kysely.selectFrom('locations').select('access_token').orderBy('location_id').execute();
    expect(after).toEqual(before);
  });
});
