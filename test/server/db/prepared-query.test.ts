import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { prepareQuery } from '../../../server/db/prepared-query';
import { createTestDb, testDialects, type TestDb } from '../../support/test-db';

describe.each(testDialects())('prepareQuery on %s', (dialect) => {
  let db: TestDb;
  afterEach(async () => db?.destroy());

  async function withSettings() {
    db = await createTestDb(dialect);
    for (const [location, version] of [['L1', 1], ['L2', 7]] as const) {
      await db.kysely
        .insertInto('location_settings')
        .values({ location_id: location, version, settings: '{}', updated_by: null, updated_at: 1 })
        .execute();
    }
  }

  it('builds and compiles once, then binds each run its own values beside the constant ones', async () => {
    await withSettings();
    const build = vi.fn((p: { location: string; minVersion: number }) =>
      db.kysely
        .selectFrom('location_settings')
        .select(['location_id', 'version'])
        .where('location_id', '=', p.location)
        .where('version', '>=', p.minVersion)
        .where('settings', '=', '{}'),
    );
    const byLocation = prepareQuery(db.statements, build);

    expect((await byLocation({ location: 'L1', minVersion: 1 })).rows).toEqual([{ location_id: 'L1', version: 1 }]);
    expect((await byLocation({ location: 'L2', minVersion: 1 })).rows).toEqual([{ location_id: 'L2', version: 7 }]);
    expect((await byLocation({ location: 'L2', minVersion: 8 })).rows).toEqual([]);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('a value used twice is bound in both places; writes report the rows they changed', async () => {
    await withSettings();
    // Only ever forward: `at` is both the new value and the bound of the WHERE.
    const bump = prepareQuery(db.statements, (p: { location: string; at: number; by: string }) =>
      db.kysely
        .updateTable('location_settings')
        .set({ updated_at: p.at, updated_by: p.by })
        .where('location_id', '=', p.location)
        .where('updated_at', '<', p.at),
    );
    expect((await bump({ location: 'L2', at: 42, by: 'u1' })).numAffectedRows).toBe(1n);
    expect((await bump({ location: 'L2', at: 41, by: 'u2' })).numAffectedRows).toBe(0n);
    expect((await bump({ location: 'nowhere', at: 43, by: 'u3' })).numAffectedRows).toBe(0n);
    const row = await db.kysely.selectFrom('location_settings').selectAll().where('location_id', '=', 'L2').executeTakeFirstOrThrow();
    expect([row.updated_at, row.updated_by]).toEqual([42, 'u1']);
  });

  it('refuses a value that is undefined, a placeholder written into the SQL text, and one never bound', async () => {
    await withSettings();
    const byLocation = prepareQuery(db.statements, (p: { location?: string }) =>
      db.kysely.selectFrom('location_settings').select('version').where('location_id', '=', p.location!),
    );
    await expect(byLocation({})).rejects.toThrow('Prepared query parameter "location" is undefined');

    const literal = prepareQuery(db.statements, (p: { location: string }) =>
      db.kysely.selectFrom('location_settings').select('version').where('location_id', '=', sql.lit(p.location)),
    );
    await expect(literal({ location: 'L1' })).rejects.toThrow('ended up in the SQL text');

    const unbound = prepareQuery(db.statements, (p: { location: string; limit: number }) =>
      db.kysely.selectFrom('location_settings').select('version').where('location_id', '=', p.location).limit(p.limit > 0 ? 1 : 2),
    );
    await expect(unbound({ location: 'L1', limit: 1 })).rejects.toThrow('Prepared query parameter "limit" is not a bound slot');
  });
});
