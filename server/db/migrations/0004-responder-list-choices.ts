import type { Kysely } from 'kysely';
import type { Dialect } from '../database';

/**
 * Per location: the Responder Live lists the admin picked (new GHL contacts are subscribed to them and their
 * webhooks are registered) and the account's lists as last fetched, so GET /api/settings answers without calling
 * Responder. Kept beside `responder_connections` so the credentials row stays only about credentials and keys.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('responder_list_choices')
    .addColumn('location_id', 'text', (c) => c.primaryKey())
    .addColumn('default_list_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('lists', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('lists_fetched_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
