import type { Kysely } from 'kysely';
import type { Dialect } from '../database';

/**
 * GHL's burst budget (100 requests per 10 s per app and location/company, ghl-platform.md §5) is shared by every
 * process calling GHL, so the limiter's state lives here once several worker processes run (issue 7):
 * a call log counted over the window, and per key what GHL told us (a block after a 429, a smaller max, a
 * longer interval). See SharedRateLimiter.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('ghl_rate_limit_calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('settled', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Every acquire counts one key's live rows; the purge deletes by age.
  await db.schema
    .createIndex('ghl_rate_limit_calls_key_idx')
    .on('ghl_rate_limit_calls')
    .columns(['key', 'expires_at'])
    .execute();
  await db.schema
    .createIndex('ghl_rate_limit_calls_expires_idx')
    .on('ghl_rate_limit_calls')
    .column('expires_at')
    .execute();

  await db.schema
    .createTable('ghl_rate_limit_keys')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('blocked_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('reported_max', 'integer')
    .addColumn('window_ms', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
