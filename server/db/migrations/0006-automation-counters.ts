import type { Kysely } from 'kysely';
import type { Dialect } from '../database';

/**
 * Round-robin task assignment (issue 5): per location and rule action, how many tasks it has assigned so far.
 * One row per counter, incremented atomically (insert … on conflict do update … returning) on both dialects.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('automation_counters')
    .addColumn('location_id', 'text', (c) => c.notNull())
    .addColumn('counter_key', 'text', (c) => c.notNull())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('automation_counters_pk', ['location_id', 'counter_key'])
    .execute();
}
