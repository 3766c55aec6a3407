import type { Db } from '../database';

/**
 * The per-location contact-resolution lease (migration 0003). Taking it is one conditional upsert — insert, or
 * take over a row whose lease expired or that we already own — so two processes can never both hold it, on
 * SQLite or PostgreSQL, without a transaction or an advisory lock.
 */
export class ResolutionLockRepository {
  constructor(private readonly db: Db) {}

  /** True when `owner` now holds the lease until `now + leaseMs` (taken fresh, taken over, or extended). */
  async tryAcquire(locationId: string, owner: string, leaseMs: number, now = Date.now()): Promise<boolean> {
    const leaseUntil = now + leaseMs;
    const row = await this.db.kysely
      .insertInto('resolution_locks')
      .values({ location_id: locationId, owner, lease_until: leaseUntil })
      .onConflict((oc) =>
        oc
          .column('location_id')
          .doUpdateSet({ owner, lease_until: leaseUntil })
          .where((eb) =>
            eb.or([eb('resolution_locks.lease_until', '<', now), eb('resolution_locks.owner', '=', owner)]),
          ),
      )
      .returning('owner')
      .executeTakeFirst();
    return row?.owner === owner;
  }

  /** Frees the lease if `owner` still holds it (a lease taken over after expiry is left alone). */
  async release(locationId: string, owner: string): Promise<void> {
    await this.db.kysely
      .deleteFrom('resolution_locks')
      .where('location_id', '=', locationId)
      .where('owner', '=', owner)
      .execute();
  }
}
