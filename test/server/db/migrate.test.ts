import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { migrateToLatest } from '../../../server/db/migrate';
import { createTestDb, testDialects, type TestDb } from '../../support/test-db';

describe.each(testDialects())('migrations on %s', (dialect) => {
  let db: TestDb;
  afterEach(async () => db?.destroy());

  it('migrateToLatest › run twice › second run changes nothing and tables exist', async () => {
    db = await createTestDb(dialect);
    await migrateToLatest(db);
    const now = Date.now();
    await db.kysely
      .insertInto('inbox_events')
      .values({
        id: 'e1', source: 'responder', location_id: 'L1', dedupe_key: 'k1', event_type: 'message.received',
        ordering_key: null, contact_id: null, status: 'pending', attempts: 0, next_run_at: now, lease_owner: null,
        lease_expires_at: null, last_error: null, checkpoints: '{}', payload: '{}', raw_payload: null, result: null,
        received_at: now, updated_at: now, processed_at: null,
      })
      .execute();
    const row = await db.kysely.selectFrom('inbox_events').selectAll().executeTakeFirstOrThrow();
    expect(row.received_at).toBe(now);
    expect(typeof row.received_at).toBe('number');
  });

  it('inbox_events › same dedupe_key twice › the unique key rejects the second row', async () => {
    db = await createTestDb(dialect);
    const now = Date.now();
    const insert = (id: string) =>
      db.kysely
        .insertInto('inbox_events')
        .values({
          id, source: 'ghl', location_id: null, dedupe_key: 'same', event_type: 'INSTALL', ordering_key: null,
          contact_id: null, status: 'pending', attempts: 0, next_run_at: now, lease_owner: null,
          lease_expires_at: null, last_error: null, checkpoints: '{}', payload: null, raw_payload: null,
          result: null, received_at: now, updated_at: now, processed_at: null,
        })
        .execute();
    await insert('a');
    await expect(insert('b')).rejects.toThrow();
    const count = await sql<{ n: number }>`select count(*) as n from inbox_events`.execute(db.kysely);
    expect(Number(count.rows[0]?.n)).toBe(1);
  });

  it('partial inbox indexes › the contact filter and the retention purge still seek them', async () => {
    db = await createTestDb(dialect);
    const byContact = sql`select id from inbox_events where location_id = ${'L1'} and contact_id = ${'c1'}
      order by received_at desc, id desc limit 51`;
    // The purge's own query also filters on status, which another index serves; this is its age condition alone.
    const purge = sql`select id from inbox_events where processed_at < ${Date.now()}`;
    const plan = async (query: typeof byContact) => {
      if (dialect === 'sqlite') {
        const rows = await sql<{ detail: string }>`explain query plan ${query}`.execute(db.kysely);
        return rows.rows.map((r) => r.detail).join('\n');
      }
      // An empty table is cheapest to scan: forbid that to see which index the planner can use.
      return db.kysely.transaction().execute(async (trx) => {
        await sql`set local enable_seqscan = off`.execute(trx);
        const rows = await sql<{ 'QUERY PLAN': string }>`explain ${query}`.execute(trx);
        return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
      });
    };
    expect(await plan(byContact)).toContain('inbox_contact_idx');
    expect(await plan(purge)).toContain('inbox_processed_idx');
  });
});
