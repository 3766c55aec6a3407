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
});
