import { sql } from 'kysely';
import type { Db } from '../database';
import type { InboxEventRow, InboxStatus } from '../schema';

/** Statuses that still hold back later events of the same ordering key. */
const UNFINISHED: readonly InboxStatus[] = ['pending', 'failed', 'processing'];
// Any constant works; it only has to be the same in every process claiming from this database.
const CLAIM_LOCK_KEY = 4_815_162_342;

/**
 * The inbox claim (InboxRepository.claimDue): one statement that picks due rows and leases them. PostgreSQL:
 * `FOR UPDATE SKIP LOCKED` in a materialised CTE, so any number of processes can claim side by side (SPEC §4);
 * SQLite: a single UPDATE, which is one write transaction.
 */
export async function claimDueEvents(
  db: Db,
  { workerId, limit, leaseMs, now }: { workerId: string; limit: number; leaseMs: number; now: number },
): Promise<InboxEventRow[]> {
  if (limit <= 0) return [];
  const unfinished = sql.join(UNFINISHED.map((s) => sql.lit(s)));
  // The first term repeats the WHERE of the partial index of migration 0007, so both engines may walk it in
  // (received_at, id) order and stop at `limit`. Two NOT EXISTS instead of one with an OR: each is a seek on
  // inbox_ordering_idx (ordering_key, status), which the OR defeated.
  const candidate = sql`
    e.status in (${unfinished})
    and ((e.status in ('pending', 'failed') and e.next_run_at <= ${now})
      or (e.status = 'processing' and e.lease_expires_at <= ${now}))
    and (e.ordering_key is null or (
      not exists (
        select 1 from inbox_events p
        where p.ordering_key = e.ordering_key and p.status in (${unfinished})
          and (p.received_at, p.id) < (e.received_at, e.id))
      and not exists (
        select 1 from inbox_events p
        where p.ordering_key = e.ordering_key and p.status = 'processing' and p.id <> e.id
          and p.lease_expires_at > ${now})))`;
  const assignments = sql`
    status = 'processing', lease_owner = ${workerId}, lease_expires_at = ${now + leaseMs}, updated_at = ${now},
    attempts = case when inbox_events.status = 'processing'
      then inbox_events.attempts + 1 else inbox_events.attempts end`;

  let rows: InboxEventRow[];
  if (db.dialect === 'postgres') {
    rows = await db.kysely.transaction().execute(async (trx) => {
      // SKIP LOCKED keeps two claimers off the same row, but the ordering check reads *other* rows of the
      // key, which row locks do not cover: two claims running side by side see different snapshots, so an
      // event committed late with an earlier stamp (another web process's clock) could start beside its
      // contact's running event. A claim is one short statement; serialising claims across processes with a
      // transaction-scoped advisory lock costs little and closes that race.
      await sql`select pg_advisory_xact_lock(${sql.lit(CLAIM_LOCK_KEY)})`.execute(trx);
      const result = await sql<InboxEventRow>`
        with due as materialized (
          select e.id from inbox_events e
          where ${candidate}
          order by e.received_at, e.id
          limit ${limit}
          for update skip locked
        )
        update inbox_events set ${assignments}
        from due where inbox_events.id = due.id
        returning inbox_events.*`.execute(trx);
      return result.rows;
    });
  } else {
    // One UPDATE statement is one write transaction on SQLite: it takes the write lock before it reads.
    // INDEXED BY: left alone, SQLite's planner takes inbox_due_idx for the status terms, then checks the ordering
    // subqueries for every due row and sorts them all; over 2,000 queued events that was ~30 ms per claim, and the
    // worker claims once per finished event (bench/drain-bench.ts). Walking the unfinished rows oldest first
    // stops as soon as `limit` are found.
    const result = await sql<InboxEventRow>`
      update inbox_events set ${assignments}
      where id in (
        select e.id from inbox_events e indexed by inbox_unfinished_order_idx
        where ${candidate}
        order by e.received_at, e.id
        limit ${limit})
      returning *`.execute(db.kysely);
    rows = result.rows;
  }
  return rows.sort((a, b) => a.received_at - b.received_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
