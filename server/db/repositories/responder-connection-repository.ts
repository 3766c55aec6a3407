import { randomBytes } from 'node:crypto';
import type { Db } from '../database';
import type { ResponderConnectionsTable } from '../schema';
import type { SecretBox } from '../../security/secret-box';
import type { ResponderTokenCache } from '../../integrations/responder/responder-token-manager';
import { TtlCache } from '../../ttl-cache';

/** A location's Responder Live connection, secrets opened. */
export interface ResponderConnection {
  locationId: string;
  /** Null until the user enters API credentials (a webhook-only connection needs none). */
  credentials: { clientId: string; clientSecret: string; userToken: string } | null;
  /** The secret in `/webhooks/responder/:key`. */
  webhookKey: string;
  accountId: string | null;
  accessToken: string | null;
  tokenExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** 32 random bytes, base64url: the webhook URL's only credential (Responder cannot sign, responder-live.md §1.3.3). */
export function newWebhookKey(): string {
  return randomBytes(32).toString('base64url');
}

/** How long a process trusts a webhook key it has looked up (see locationIdForWebhookKey). */
export const WEBHOOK_KEY_CACHE_MS = 5_000;

/**
 * Responder Live connections, one per location. The client secret, user token and access token are sealed with
 * SecretBox before they reach SQL. The webhook key stays plain: it is looked up on every webhook and shown to the
 * user as part of the URL they paste into Responder.
 */
export class ResponderConnectionRepository {
  private readonly locationByKey = new TtlCache<string>(WEBHOOK_KEY_CACHE_MS, 10_000);

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  async get(locationId: string): Promise<ResponderConnection | null> {
    const row = await this.db.kysely
      .selectFrom('responder_connections')
      .selectAll()
      .where('location_id', '=', locationId)
      .executeTakeFirst();
    return row ? this.open(row) : null;
  }

  /**
   * The location whose webhook key this is, or null. Every webhook asks, so a known key is remembered for
   * WEBHOOK_KEY_CACHE_MS: a key rotated or deleted through this process stops working at once, through another
   * process within that time. Unknown keys are never remembered (a new key works at once everywhere).
   */
  async locationIdForWebhookKey(key: string): Promise<string | null> {
    if (!key || key.length > 200) return null;
    const cached = this.locationByKey.get(key);
    if (cached !== undefined) return cached;
    const row = await this.db.kysely
      .selectFrom('responder_connections')
      .select('location_id')
      .where('webhook_key', '=', key)
      .executeTakeFirst();
    if (!row) return null;
    this.locationByKey.set(key, row.location_id);
    return row.location_id;
  }

  /** Saves API credentials (creating the connection if needed); a cached access token is dropped with the old ones. */
  async upsertCredentials(locationId: string, credentials: { clientId: string; clientSecret: string; userToken: string }): Promise<void> {
    const now = Date.now();
    const sealed = {
      client_id: credentials.clientId,
      client_secret: this.box.encrypt(credentials.clientSecret),
      user_token: this.box.encrypt(credentials.userToken),
      access_token: null,
      token_expires_at: null,
      account_id: null,
      updated_at: now,
    };
    await this.db.kysely
      .insertInto('responder_connections')
      .values({ location_id: locationId, webhook_key: newWebhookKey(), created_at: now, ...sealed })
      .onConflict((oc) => oc.column('location_id').doUpdateSet(sealed))
      .execute();
  }

  /** Removes the API credentials and token, keeping the connection and its webhook key. */
  async clearCredentials(locationId: string): Promise<void> {
    await this.db.kysely
      .updateTable('responder_connections')
      .set({ client_id: null, client_secret: null, user_token: null, access_token: null, token_expires_at: null, updated_at: Date.now() })
      .where('location_id', '=', locationId)
      .execute();
  }

  /** The location's webhook key, creating the connection row with a fresh key when there is none (race-safe). */
  async ensureWebhookKey(locationId: string): Promise<string> {
    const existing = await this.get(locationId);
    if (existing) return existing.webhookKey;
    const now = Date.now();
    await this.db.kysely
      .insertInto('responder_connections')
      .values(this.emptyRow(locationId, now))
      .onConflict((oc) => oc.column('location_id').doNothing())
      .execute();
    const row = await this.get(locationId);
    if (!row) throw new Error(`Responder connection for ${locationId} vanished while being created`);
    return row.webhookKey;
  }

  /** Replaces the webhook key; the old URL stops working at once. Creates the connection when missing. */
  async rotateWebhookKey(locationId: string): Promise<string> {
    const key = newWebhookKey();
    const now = Date.now();
    await this.db.kysely
      .insertInto('responder_connections')
      .values({ ...this.emptyRow(locationId, now), webhook_key: key })
      .onConflict((oc) => oc.column('location_id').doUpdateSet({ webhook_key: key, updated_at: now }))
      .execute();
    this.locationByKey.clear();
    return key;
  }

  /** Caches the access token (sealed) and, when known, the Responder account id. */
  async saveToken(locationId: string, token: string, expiresAt: number, accountId?: string): Promise<void> {
    await this.db.kysely
      .updateTable('responder_connections')
      .set({
        access_token: this.box.encrypt(token),
        token_expires_at: expiresAt,
        ...(accountId !== undefined ? { account_id: accountId } : {}),
        updated_at: Date.now(),
      })
      .where('location_id', '=', locationId)
      .execute();
  }

  /** A ResponderClient token cache backed by this location's row, shared by every process. */
  tokenCache(locationId: string): ResponderTokenCache {
    return {
      get: async () => {
        const c = await this.get(locationId);
        return c?.accessToken && c.tokenExpiresAt !== null
          ? { token: c.accessToken, expiresAt: c.tokenExpiresAt, ...(c.accountId ? { accountId: c.accountId } : {}) }
          : null;
      },
      set: (value) => this.saveToken(locationId, value.token, value.expiresAt, value.accountId),
    };
  }

  async delete(locationId: string): Promise<void> {
    await this.db.kysely.deleteFrom('responder_connections').where('location_id', '=', locationId).execute();
    this.locationByKey.clear();
  }

  private emptyRow(locationId: string, now: number): ResponderConnectionsTable {
    return {
      location_id: locationId,
      client_id: null,
      client_secret: null,
      user_token: null,
      webhook_key: newWebhookKey(),
      account_id: null,
      access_token: null,
      token_expires_at: null,
      created_at: now,
      updated_at: now,
    };
  }

  private open(row: ResponderConnectionsTable): ResponderConnection {
    const clientSecret = this.box.decryptNullable(row.client_secret);
    const userToken = this.box.decryptNullable(row.user_token);
    return {
      locationId: row.location_id,
      credentials:
        row.client_id !== null && clientSecret !== null && userToken !== null
          ? { clientId: row.client_id, clientSecret, userToken }
          : null,
      webhookKey: row.webhook_key,
      accountId: row.account_id,
      accessToken: this.box.decryptNullable(row.access_token),
      tokenExpiresAt: row.token_expires_at,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }
}
