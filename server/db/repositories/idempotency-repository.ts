import type { Db } from '../database';

/** A key as stored: `response` is null while the first request is still running. */
export interface IdempotencyRecord {
  requestHash: string;
  statusCode: number | null;
  /** The JSON body the first request answered. */
  response: string | null;
  createdAt: number;
}

/**
 * Idempotency keys of panel writes, scoped per location (primary key location_id + key). A key is reserved by a
 * single INSERT … ON CONFLICT before the write reaches GHL, so two concurrent requests can never both win, on
 * SQLite or PostgreSQL.
 */
export class IdempotencyRepository {
  constructor(private readonly db: Db) {}

  /**
   * Reserves the key for this request. Succeeds when the key is new, or when the old row is past `expiredBefore`
   * (older than the 24 h window) or an abandoned reservation created before `abandonedBefore` (its process died
   * mid-request). Returns true when the caller now owns the key.
   */
  async reserve(input: {
    locationId: string;
    key: string;
    requestHash: string;
    now: number;
    expiredBefore: number;
    abandonedBefore: number;
  }): Promise<boolean> {
    const result = await this.db.kysely
      .insertInto('idempotency_keys')
      .values({
        location_id: input.locationId,
        key: input.key,
        request_hash: input.requestHash,
        status_code: null,
        response: null,
        created_at: input.now,
      })
      .onConflict((oc) =>
        oc
          .columns(['location_id', 'key'])
          .doUpdateSet({ request_hash: input.requestHash, status_code: null, response: null, created_at: input.now })
          .where((eb) =>
            eb.or([
              eb('idempotency_keys.created_at', '<', input.expiredBefore),
              eb.and([
                eb('idempotency_keys.status_code', 'is', null),
                eb('idempotency_keys.created_at', '<', input.abandonedBefore),
              ]),
            ]),
          ),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async get(locationId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.db.kysely
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'status_code', 'response', 'created_at'])
      .where('location_id', '=', locationId)
      .where('key', '=', key)
      .executeTakeFirst();
    return (
      row && { requestHash: row.request_hash, statusCode: row.status_code, response: row.response, createdAt: row.created_at }
    );
  }

  /** Stores the answer of the request that owns the reservation (`createdAt` identifies that reservation). */
  async complete(locationId: string, key: string, createdAt: number, statusCode: number, response: string): Promise<void> {
    await this.db.kysely
      .updateTable('idempotency_keys')
      .set({ status_code: statusCode, response })
      .where('location_id', '=', locationId)
      .where('key', '=', key)
      .where('created_at', '=', createdAt)
      .where('status_code', 'is', null)
      .execute();
  }

  /** Drops an unfinished reservation (the write failed), so a retry with the same key runs again. */
  async release(locationId: string, key: string, createdAt: number): Promise<void> {
    await this.db.kysely
      .deleteFrom('idempotency_keys')
      .where('location_id', '=', locationId)
      .where('key', '=', key)
      .where('created_at', '=', createdAt)
      .where('status_code', 'is', null)
      .execute();
  }

  /** Deletes keys created before `cutoff` (all locations). Returns how many went. */
  async purgeBefore(cutoff: number): Promise<number> {
    const result = await this.db.kysely.deleteFrom('idempotency_keys').where('created_at', '<', cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
