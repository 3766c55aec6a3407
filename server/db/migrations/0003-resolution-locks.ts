import type { Kysely } from 'kysely';
import type { Dialect } from '../database';

/**
 * Per-location lease that serialises contact resolution across processes (SPEC §3: an email-only and a
 * phone-only event for one person arriving together must end on one contact). A row is taken with one
 * conditional upsert, so it works the same on SQLite and PostgreSQL; an expired lease is free.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('resolution_locks')
    .addColumn('location_id', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'bigint', (c) => c.notNull())
    .execute();
}
