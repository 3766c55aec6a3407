import { sql } from 'kysely';
import type { Db } from '../database';

/** A later event of the same contact waiting behind a burst's first event. */
export interface BurstFollower {
  id: string;
  eventType: string;
  receivedAt: number;
  /** The stored webhook (JSON-parsed); null once purged. */
  payload: unknown;
}

/**
 * The automations engine's own SQL: round-robin counters, and the inbox reads/writes that collapse a burst of
 * GHL contact webhooks into one run (issue 5). Burst followers are never claimed while their burst's first event
 * is unfinished (the claim orders events per contact), so folding them here cannot race a worker.
 */
export class AutomationRepository {
  constructor(private readonly db: Db) {}

  /** Increments a counter and returns its value before the increment (0 for the first call). */
  async nextCounter(locationId: string, key: string, now = Date.now()): Promise<number> {
    const row = await this.db.kysely
      .insertInto('automation_counters')
      .values({ location_id: locationId, counter_key: key, value: 1, updated_at: now })
      .onConflict((oc) =>
        oc.columns(['location_id', 'counter_key']).doUpdateSet({
          value: sql<number>`automation_counters.value + 1`,
          updated_at: now,
        }),
      )
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(row.value) - 1;
  }

  /** Pending events of `orderingKey` with one of `eventTypes`, received after the leader, oldest first. */
  async burstFollowers(
    leader: { id: string; orderingKey: string; receivedAt: number },
    eventTypes: readonly string[],
  ): Promise<BurstFollower[]> {
    if (eventTypes.length === 0) return [];
    const rows = await this.db.kysely
      .selectFrom('inbox_events')
      .select(['id', 'event_type', 'received_at', 'payload'])
      .where('ordering_key', '=', leader.orderingKey)
      .where('source', '=', 'ghl')
      .where('status', '=', 'pending')
      .where('lease_owner', 'is', null)
      .where('event_type', 'in', eventTypes)
      .where('id', '<>', leader.id)
      .where((eb) =>
        eb.or([
          eb('received_at', '>', leader.receivedAt),
          eb.and([eb('received_at', '=', leader.receivedAt), eb('id', '>', leader.id)]),
        ]),
      )
      .orderBy('received_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      eventType: r.event_type,
      receivedAt: Number(r.received_at),
      payload: r.payload === null ? null : (JSON.parse(r.payload) as unknown),
    }));
  }

  /** Marks followers done as part of `leaderId`'s run (`result: {collapsedInto}`); returns how many it took. */
  async foldInto(ids: readonly string[], leaderId: string, contactId: string | null, now = Date.now()): Promise<number> {
    if (ids.length === 0) return 0;
    const res = await this.db.kysely
      .updateTable('inbox_events')
      .set({
        status: 'done',
        result: JSON.stringify({ collapsedInto: leaderId }),
        ...(contactId ? { contact_id: contactId } : {}),
        processed_at: now,
        updated_at: now,
      })
      .where('id', 'in', ids)
      .where('status', '=', 'pending')
      .where('lease_owner', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }
}
