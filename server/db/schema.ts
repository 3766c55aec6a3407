import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types for Kysely. Conventions, identical on SQLite and PostgreSQL:
 * times are epoch milliseconds (bigint), booleans are 0/1 integers, JSON is stored as text,
 * secrets are `secret-box` strings (AES-256-GCM with a key id), never plain text.
 */

export type LocationStatus = 'active' | 'needs_reconnect' | 'uninstalled';
export type CompanyStatus = 'active' | 'needs_reconnect' | 'uninstalled';

export interface CompaniesTable {
  company_id: string;
  name: string | null;
  status: CompanyStatus;
  status_reason: string | null;
  access_token: string | null;
  refresh_token: string | null;
  token_expires_at: number | null;
  scopes: string | null;
  /** Lease for a token refresh in progress: only one process refreshes at a time (see token service). */
  refresh_lock_until: number;
  installed_by_user_id: string | null;
  install_to_future_locations: number;
  installed_at: number;
  updated_at: number;
}

export interface LocationsTable {
  location_id: string;
  company_id: string | null;
  name: string | null;
  timezone: string | null;
  status: LocationStatus;
  status_reason: string | null;
  /** 'location' when GHL gave a Location token directly, 'company' when minted from the company token. */
  token_source: 'location' | 'company';
  access_token: string | null;
  refresh_token: string | null;
  token_expires_at: number | null;
  scopes: string | null;
  refresh_lock_until: number;
  installed_by_user_id: string | null;
  installed_at: number;
  uninstalled_at: number | null;
  updated_at: number;
}

export type InboxStatus = 'pending' | 'processing' | 'done' | 'failed' | 'dead' | 'ignored' | 'invalid' | 'cancelled';
export type InboxSource = 'responder' | 'ghl';

export interface InboxEventsTable {
  id: string;
  source: InboxSource;
  /** Null for events not tied to a location (e.g. an agency-level INSTALL). */
  location_id: string | null;
  /** Unique: the producer's event id, else a content hash (SPEC §3: duplicates are recognised atomically). */
  dedupe_key: string;
  event_type: string;
  /** Events sharing an ordering key run in order, one at a time (one contact's events). */
  ordering_key: string | null;
  /** The GHL contact the event resolved to, once known (activity filter). */
  contact_id: string | null;
  status: InboxStatus;
  attempts: number;
  /** 429 waits so far: they do not count as attempts but are capped on their own (migration 0002). */
  rate_limit_waits: Generated<number>;
  next_run_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  last_error: string | null;
  /** JSON: step name → result, so a retry never repeats a write. */
  checkpoints: string;
  /** JSON: the normalised event. Null once purged after the retention period. */
  payload: string | null;
  /** JSON: the body as received, for audit; purged after the retention period. */
  raw_payload: string | null;
  /** JSON: a short summary of what was done (for the activity log). */
  result: string | null;
  received_at: number;
  updated_at: number;
  processed_at: number | null;
}

export interface ContactLinksTable {
  location_id: string;
  /** 'subscriber' (Responder subscriber id), 'email' (lower-cased) or 'phone' (E.164, or raw digits). */
  key_type: 'subscriber' | 'email' | 'phone';
  key_value: string;
  ghl_contact_id: string;
  created_at: number;
  updated_at: number;
}

export interface ContactStatesTable {
  location_id: string;
  ghl_contact_id: string;
  /** JSON: the last seen GHL contact (for ContactUpdate diffs and "only when changed" upserts). */
  snapshot: string;
  last_message_at: number | null;
  last_message_text: string | null;
  updated_at: number;
}

export interface MessagesTable {
  id: Generated<number>;
  location_id: string;
  ghl_contact_id: string;
  inbox_event_id: string;
  event_type: string;
  channel: string | null;
  direction: string | null;
  subject: string | null;
  text: string | null;
  url: string | null;
  list_name: string | null;
  /** Lower-cased, bidi marks removed: what search matches against. */
  search_text: string;
  occurred_at: number;
  created_at: number;
}

export interface OwnWritesTable {
  id: Generated<number>;
  location_id: string;
  ghl_contact_id: string;
  kind: 'contact' | 'note' | 'task' | 'tags_added' | 'tags_removed' | 'dnd' | 'custom_field';
  /** JSON: what was written (field names and values, tag names, note/task id). */
  detail: string;
  created_at: number;
}

export interface ResponderConnectionsTable {
  location_id: string;
  client_id: string | null;
  client_secret: string | null;
  user_token: string | null;
  /** Random secret in the webhook URL; unique across locations. */
  webhook_key: string;
  account_id: string | null;
  access_token: string | null;
  token_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface LocationSettingsTable {
  location_id: string;
  version: number;
  /** JSON, validated by shared/contracts/settings.ts on every read and write. */
  settings: string;
  updated_by: string | null;
  updated_at: number;
}

export interface IdempotencyKeysTable {
  location_id: string;
  key: string;
  request_hash: string;
  status_code: number | null;
  response: string | null;
  created_at: number;
}

export interface SessionsTable {
  sid: string;
  data: string;
  expires_at: number;
}

/** Per-location lease serialising contact resolution across processes (migration 0003). */
export interface ResolutionLocksTable {
  location_id: string;
  owner: string;
  lease_until: number;
}

/** The Responder Live lists a location picked, and the account's lists as last fetched (migration 0004). */
export interface ResponderListChoicesTable {
  location_id: string;
  /** JSON number[]. */
  default_list_ids: string;
  /** JSON `{id, name}[]`. */
  lists: string;
  lists_fetched_at: number | null;
  updated_at: number;
}

/** One GHL call counted against its key's window by the shared limiter (migration 0005). */
export interface GhlRateLimitCallsTable {
  id: string;
  /** The location or company id the budget belongs to. */
  key: string;
  /** When the call was granted, or, once `settled`, when its answer came back. */
  at: number;
  /** When it stops counting: `at` + window once settled; later while in flight (an answer may never come). */
  expires_at: number;
  settled: number;
}

/** What GHL told us about a key, shared by every process (migration 0005). */
export interface GhlRateLimitKeysTable {
  key: string;
  /** No call before this (a 429, `X-RateLimit-Remaining: 0`, a spent daily budget). */
  blocked_until: number;
  /** `X-RateLimit-Max` as last reported, when GHL sent one. */
  reported_max: number | null;
  /** The longest `X-RateLimit-Interval-Milliseconds` seen, when longer than configured. */
  window_ms: number | null;
  updated_at: number;
}

/** Round-robin counters of automation actions, per location (migration 0006). */
export interface AutomationCountersTable {
  location_id: string;
  counter_key: string;
  value: number;
  updated_at: number;
}

export interface Database {
  companies: CompaniesTable;
  locations: LocationsTable;
  inbox_events: InboxEventsTable;
  contact_links: ContactLinksTable;
  contact_states: ContactStatesTable;
  messages: MessagesTable;
  own_writes: OwnWritesTable;
  responder_connections: ResponderConnectionsTable;
  location_settings: LocationSettingsTable;
  idempotency_keys: IdempotencyKeysTable;
  sessions: SessionsTable;
  resolution_locks: ResolutionLocksTable;
  responder_list_choices: ResponderListChoicesTable;
  ghl_rate_limit_calls: GhlRateLimitCallsTable;
  ghl_rate_limit_keys: GhlRateLimitKeysTable;
  automation_counters: AutomationCountersTable;
}

export type LocationRow = Selectable<LocationsTable>;
export type NewLocationRow = Insertable<LocationsTable>;
export type LocationUpdate = Updateable<LocationsTable>;
export type CompanyRow = Selectable<CompaniesTable>;
export type InboxEventRow = Selectable<InboxEventsTable>;
export type NewInboxEventRow = Insertable<InboxEventsTable>;
export type MessageRow = Selectable<MessagesTable>;
