import type { Kysely } from 'kysely';

/**
 * Rate-limited retries do not count as attempts (SPEC §3: 429 → wait the interval GHL reports), but an event
 * must not wait on 429s forever either; this counter caps them separately from `attempts`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('inbox_events')
    .addColumn('rate_limit_waits', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Retention purge scans finished rows by age.
  await db.schema.createIndex('inbox_processed_idx').on('inbox_events').columns(['processed_at']).execute();
}
