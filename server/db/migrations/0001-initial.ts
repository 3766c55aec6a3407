import type { Kysely } from 'kysely';
import type { Dialect } from '../database';

/** The first schema: installations, the inbox, links, history, own writes, Responder connections, settings. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('companies')
    .addColumn('company_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('access_token', 'text')
    .addColumn('refresh_token', 'text')
    .addColumn('token_expires_at', 'bigint')
    .addColumn('scopes', 'text')
    .addColumn('refresh_lock_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('installed_by_user_id', 'text')
    .addColumn('install_to_future_locations', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('installed_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('locations')
    .addColumn('location_id', 'text', (c) => c.primaryKey())
    .addColumn('company_id', 'text')
    .addColumn('name', 'text')
    .addColumn('timezone', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('token_source', 'text', (c) => c.notNull())
    .addColumn('access_token', 'text')
    .addColumn('refresh_token', 'text')
    .addColumn('token_expires_at', 'bigint')
    .addColumn('scopes', 'text')
    .addColumn('refresh_lock_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('installed_by_user_id', 'text')
    .addColumn('installed_at', 'bigint', (c) => c.notNull())
    .addColumn('uninstalled_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('locations_company_idx').on('locations').column('company_id').execute();

  await db.schema
    .createTable('inbox_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('location_id', 'text')
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('ordering_key', 'text')
    .addColumn('contact_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_run_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('checkpoints', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('payload', 'text')
    .addColumn('raw_payload', 'text')
    .addColumn('result', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('processed_at', 'bigint')
    .execute();
  await db.schema.createIndex('inbox_due_idx').on('inbox_events').columns(['status', 'next_run_at']).execute();
  await db.schema
    .createIndex('inbox_location_idx')
    .on('inbox_events')
    .columns(['location_id', 'received_at'])
    .execute();
  await db.schema
    .createIndex('inbox_ordering_idx')
    .on('inbox_events')
    .columns(['ordering_key', 'status'])
    .execute();
  await db.schema
    .createIndex('inbox_contact_idx')
    .on('inbox_events')
    .columns(['location_id', 'contact_id', 'received_at'])
    .execute();

  await db.schema
    .createTable('contact_links')
    .addColumn('location_id', 'text', (c) => c.notNull())
    .addColumn('key_type', 'text', (c) => c.notNull())
    .addColumn('key_value', 'text', (c) => c.notNull())
    .addColumn('ghl_contact_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_links_pk', ['location_id', 'key_type', 'key_value'])
    .execute();
  await db.schema
    .createIndex('contact_links_contact_idx')
    .on('contact_links')
    .columns(['location_id', 'ghl_contact_id'])
    .execute();

  await db.schema
    .createTable('contact_states')
    .addColumn('location_id', 'text', (c) => c.notNull())
    .addColumn('ghl_contact_id', 'text', (c) => c.notNull())
    .addColumn('snapshot', 'text', (c) => c.notNull())
    .addColumn('last_message_at', 'bigint')
    .addColumn('last_message_text', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_states_pk', ['location_id', 'ghl_contact_id'])
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('location_id', 'text', (c) => c.notNull())
    .addColumn('ghl_contact_id', 'text', (c) => c.notNull())
    .addColumn('inbox_event_id', 'text', (c) => c.notNull().unique())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('direction', 'text')
    .addColumn('subject', 'text')
    .addColumn('text', 'text')
    .addColumn('url', 'text')
    .addColumn('list_name', 'text')
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // Keyset paging newest first per contact: (occurred_at, id) descending.
  await db.schema
    .createIndex('messages_contact_time_idx')
    .on('messages')
    .columns(['location_id', 'ghl_contact_id', 'occurred_at', 'id'])
    .execute();

  await db.schema
    .createTable('own_writes')
    .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('location_id', 'text', (c) => c.notNull())
    .addColumn('ghl_contact_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('own_writes_contact_idx')
    .on('own_writes')
    .columns(['location_id', 'ghl_contact_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('responder_connections')
    .addColumn('location_id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text')
    .addColumn('client_secret', 'text')
    .addColumn('user_token', 'text')
    .addColumn('webhook_key', 'text', (c) => c.notNull().unique())
    .addColumn('account_id', 'text')
    .addColumn('access_token', 'text')
    .addColumn('token_expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('location_settings')
    .addColumn('location_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('location_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['location_id', 'key'])
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('sid', 'text', (c) => c.primaryKey())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}
