import { createHash } from 'node:crypto';
import { CompiledQuery, sql, type Kysely, type QueryResult, type RawBuilder, type UpdateObject } from 'kysely';
import type { Db } from '../database';
import { prepareQuery } from '../prepared-query';
import type { Database, InboxEventRow, InboxSource, InboxStatus, NewInboxEventRow } from '../schema';
import { WriteBatch } from '../write-batch';
import { claimDueEvents } from './inbox-claim-query';
import { decodeCursor, encodeCursor, newInboxEventId, shortError, toJson } from './inbox-codec';

/** What a webhook route stores: `status` is `pending` for work, `ignored`/`invalid` for rows kept as history only. */
export interface NewInboxEvent {
  source: InboxSource;
  locationId: string | null;
  dedupeKey: string;
  eventType: string;
  orderingKey: string | null;
  payload: unknown;
  rawPayload: unknown;
  status: 'pending' | 'ignored' | 'invalid';
  nextRunAt?: number;
}

/** The bound values of saveCheckpoints' and complete's prepared statements (see preparedOwnedUpdate). */
interface OwnedUpdateValues {
  id: string;
  workerId: string;
  now: number;
  status?: InboxStatus;
  result?: string | null;
  contactId?: string;
  [pair: `key${number}` | `json${number}`]: string;
}

interface StepPair {
  key: string;
  json: string;
}

export interface InsertOutcome {
  id: string;
  duplicate: boolean;
}

export interface ActivityQuery {
  locationId: string;
  status?: InboxStatus | readonly InboxStatus[];
  contactId?: string;
  /** The `nextCursor` of the previous page. */
  before?: string;
  limit: number;
}

export interface ActivityPage {
  events: InboxEventRow[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export const INBOX_STATUSES: readonly InboxStatus[] = [
  'pending', 'processing', 'done', 'failed', 'dead', 'ignored', 'invalid', 'cancelled',
];
/** Finished rows whose payloads the retention purge may drop; dead/failed keep theirs so they can be replayed. */
const PURGEABLE: readonly InboxStatus[] = ['done', 'ignored', 'invalid', 'cancelled'];

/**
 * The durable inbox (SPEC §3 "Nothing lost, nothing twice"): every webhook lands here before it is answered and
 * the worker runs it from here. Every state change after a claim is guarded by `lease_owner`, so a worker whose
 * lease was taken over can no longer overwrite the new owner's work.
 */
export class InboxRepository {
  private readonly inserts = new WriteBatch((entries: NewInboxEvent[]) => this.insertMany(entries));

  constructor(private readonly db: Db) {}

  /**
   * Stores an event once per `dedupeKey`; a second insert of the same key returns the first row's id. Inserts made
   * together (concurrent webhooks) share one statement (WriteBatch).
   */
  insert(e: NewInboxEvent): Promise<InsertOutcome> {
    return this.inserts.add(e);
  }

  private readonly insertSqlByRows = new Map<number, string>();

  /**
   * The multi-row insert for `rows` rows, written once per size: building and compiling it through Kysely's query
   * builder was ~6% of a webhook's CPU (`npm run bench`, ingest). ON CONFLICT DO NOTHING makes the unique key
   * decide, atomically, which of two racing requests stored an event.
   */
  private insertSql(rows: number): string {
    let text = this.insertSqlByRows.get(rows);
    if (text === undefined) {
      let n = 0;
      const placeholder = this.db.dialect === 'postgres' ? () => `$${++n}` : () => '?';
      const tuples = Array.from({ length: rows }, () => `(${INSERT_COLUMNS.map(placeholder).join(', ')})`);
      text =
        `insert into "inbox_events" (${INSERT_COLUMNS.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')} ` +
        'on conflict ("dedupe_key") do nothing returning "id"';
      this.insertSqlByRows.set(rows, text);
    }
    return text;
  }

  private async insertMany(entries: NewInboxEvent[]): Promise<InsertOutcome[]> {
    const now = Date.now();
    const rows: NewInboxEventRow[] = [];
    // Entries with the same key within one batch: the first one's row stands for all of them.
    const rowByKey = new Map<string, number>();
    const rowOf = entries.map((e) => {
      const dedupeKey = indexable(e.dedupeKey);
      const known = rowByKey.get(dedupeKey);
      if (known !== undefined) return { index: known, first: false };
      rowByKey.set(dedupeKey, rows.length);
      rows.push(newRow(e, dedupeKey, now));
      return { index: rows.length - 1, first: true };
    });
    const chunks = inChunks(rows);
    const insertChunks = async (db: Kysely<Database>) => {
      const ids: string[] = [];
      for (const chunk of chunks) {
        const params: unknown[] = [];
        for (const row of chunk) for (const column of INSERT_COLUMNS) params.push(row[column]);
        const inserted = await db.executeQuery<{ id: string }>(CompiledQuery.raw(this.insertSql(chunk.length), params));
        for (const r of inserted.rows) ids.push(r.id);
      }
      return ids;
    };
    // One commit for the batch; a failed chunk takes the whole batch back (WriteBatch then writes each alone).
    const insertedIds = new Set(
      chunks.length === 1 ? await insertChunks(this.db.kysely) : await this.db.kysely.transaction().execute(insertChunks),
    );
    const conflicting = rows.filter((r) => !insertedIds.has(r.id)).map((r) => r.dedupe_key);
    const existing = new Map<string, string>();
    if (conflicting.length > 0) {
      const found = await this.db.kysely
        .selectFrom('inbox_events')
        .select(['id', 'dedupe_key'])
        .where('dedupe_key', 'in', conflicting)
        .execute();
      for (const r of found) existing.set(r.dedupe_key, r.id);
    }
    return rowOf.map(({ index, first }) => {
      const row = rows[index]!;
      if (insertedIds.has(row.id)) return { id: row.id, duplicate: !first };
      const id = existing.get(row.dedupe_key);
      if (id === undefined) throw new Error('inbox insert conflicted on dedupe key but no row holds it');
      return { id, duplicate: true };
    });
  }

  /**
   * Claims up to `limit` due events for `workerId` for `leaseMs`: pending ones, failed ones whose retry time has
   * come, and processing ones whose lease expired (a crashed worker's). An event waits while an earlier event of
   * its ordering key is unfinished, or while another event of its key is being processed, so one contact's events
   * run in order and one at a time. Taking over an expired lease counts an attempt (a crash loop ends dead).
   */
  async claimDue(workerId: string, limit: number, leaseMs: number, now = Date.now()): Promise<InboxEventRow[]> {
    return claimDueEvents(this.db, { workerId, limit, leaseMs, now });
  }

  /** Records the result of one handler step; false when the worker no longer holds the lease. */
  async saveCheckpoint(id: string, workerId: string, step: string, value: unknown, now = Date.now()): Promise<boolean> {
    return this.saveCheckpoints(id, workerId, { [step]: value }, now);
  }

  /**
   * Records the results of several handler steps (and the event's contact, when given) in one statement; false
   * when the worker no longer holds the lease.
   */
  async saveCheckpoints(
    id: string,
    workerId: string,
    steps: Readonly<Record<string, unknown>>,
    now = Date.now(),
    { contactId }: { contactId?: string | undefined } = {},
  ): Promise<boolean> {
    return this.preparedOwnedUpdate('checkpoints', { id, workerId, now }, steps, contactId);
  }

  /**
   * `checkpoints` merged with `steps` in the statement itself, atomically on both engines (steps of one event may
   * finish concurrently within one handler); nothing when `steps` is empty. It replaced a read + compare-and-set
   * pair: a checkpoint is written for most GHL writes, and the drain bench (bench/drain-bench.ts) is bound by
   * such queries.
   */
  private checkpointsSet(steps: Readonly<Record<string, unknown>> | undefined): { checkpoints?: RawBuilder<string> } {
    const pairs = this.stepPairs(steps);
    return pairs.length === 0 ? {} : { checkpoints: this.mergedCheckpoints(pairs) };
  }

  /** Each step as the two bound values the merge takes: its key (a JSON path on SQLite) and its JSON. */
  private stepPairs(steps: Readonly<Record<string, unknown>> | undefined): StepPair[] {
    return Object.entries(steps ?? {}).map(([step, value]) => {
      const json = JSON.stringify(value === undefined ? null : value);
      if (this.db.dialect === 'postgres') return { key: step, json };
      // A quoted JSON path key takes any character but the quote itself (https://sqlite.org/json1.html#path_arguments).
      if (step.includes('"')) throw new Error(`Checkpoint step names cannot contain a double quote: ${step}`);
      return { key: `$."${step}"`, json };
    });
  }

  /** `pairs`: from stepPairs, or a prepared statement's placeholders for them. */
  private mergedCheckpoints(pairs: readonly { key: unknown; json: unknown }[]): RawBuilder<string> {
    if (this.db.dialect === 'postgres') {
      const merged = sql.join(pairs.map((p) => sql`${p.key}::text, ${p.json}::jsonb`));
      return sql<string>`(coalesce(nullif(checkpoints, '')::jsonb, '{}'::jsonb) || jsonb_build_object(${merged}))::text`;
    }
    const merged = sql.join(pairs.map((p) => sql`${p.key}, json(${p.json})`));
    return sql<string>`json_set(case when json_valid(checkpoints) and json_type(checkpoints) = 'object'
      then checkpoints else '{}' end, ${merged})`;
  }

  /**
   * saveCheckpoints() and complete() run for nearly every drained event: their statements are prepared once per
   * shape (which of the two, how many steps, with or without the contact id) instead of built each time.
   */
  private readonly ownedUpdates = new Map<string, (values: OwnedUpdateValues) => Promise<QueryResult<unknown>>>();

  private async preparedOwnedUpdate(
    kind: 'checkpoints' | 'complete',
    values: Pick<OwnedUpdateValues, 'id' | 'workerId' | 'now'> & Partial<Pick<OwnedUpdateValues, 'status' | 'result'>>,
    steps: Readonly<Record<string, unknown>> | undefined,
    contactId: string | undefined,
  ): Promise<boolean> {
    const pairs = this.stepPairs(steps);
    const shape = `${kind}:${pairs.length}:${contactId !== undefined}`;
    let update = this.ownedUpdates.get(shape);
    if (!update) {
      update = prepareQuery(this.db.statements, (p: OwnedUpdateValues) =>
        this.db.kysely
          .updateTable('inbox_events')
          .set({
            ...(kind === 'complete'
              ? {
                  status: p.status,
                  result: p.result,
                  last_error: null,
                  lease_owner: null,
                  lease_expires_at: null,
                  processed_at: p.now,
                }
              : {}),
            ...(contactId === undefined ? {} : { contact_id: p.contactId }),
            ...(pairs.length === 0
              ? {}
              : { checkpoints: this.mergedCheckpoints(pairs.map((_, i) => ({ key: p[`key${i}`], json: p[`json${i}`] }))) }),
            updated_at: p.now,
          })
          .where('id', '=', p.id)
          .where('lease_owner', '=', p.workerId)
          .where('status', '=', 'processing'),
      );
      this.ownedUpdates.set(shape, update);
    }
    const bound: OwnedUpdateValues = { ...values, ...(contactId === undefined ? {} : { contactId }) };
    pairs.forEach((pair, i) => {
      bound[`key${i}`] = pair.key;
      bound[`json${i}`] = pair.json;
    });
    const result = await update(bound);
    return (result.numAffectedRows ?? 0n) > 0n;
  }

  /**
   * Finishes a claimed event. `checkpoints` are step results not stored yet (InboxWorker keeps the results of
   * steps that wrote nothing elsewhere until its next write), merged in the same statement.
   */
  async complete(
    id: string,
    workerId: string,
    outcome: { status: 'done' | 'ignored'; contactId?: string; result?: unknown; checkpoints?: Readonly<Record<string, unknown>> },
    now = Date.now(),
  ): Promise<boolean> {
    return this.preparedOwnedUpdate(
      'complete',
      { id, workerId, now, status: outcome.status, result: toJson(outcome.result) },
      outcome.checkpoints,
      outcome.contactId,
    );
  }

  /**
   * Puts a claimed event back as `failed`, to be claimed again at `nextRunAt`. `countAttempt: false` is for
   * waits that are not the event's fault (a 429, a parked location); `rateLimited` counts it in rate_limit_waits.
   * `contactId` and `checkpoints`: what the attempt learnt and had not stored yet (see complete).
   */
  async retry(
    id: string,
    workerId: string,
    r: {
      error: string;
      nextRunAt: number;
      countAttempt: boolean;
      rateLimited?: boolean;
      status?: 'failed' | 'pending';
      contactId?: string | undefined;
      checkpoints?: Readonly<Record<string, unknown>>;
    },
    now = Date.now(),
  ): Promise<boolean> {
    return this.ownedUpdate(id, workerId, {
      status: r.status ?? 'failed',
      attempts: r.countAttempt ? sql<number>`attempts + 1` : sql<number>`attempts`,
      rate_limit_waits: r.rateLimited ? sql<number>`rate_limit_waits + 1` : sql<number>`rate_limit_waits`,
      ...(r.contactId === undefined ? {} : { contact_id: r.contactId }),
      ...this.checkpointsSet(r.checkpoints),
      next_run_at: r.nextRunAt,
      last_error: shortError(r.error),
      lease_owner: null,
      lease_expires_at: null,
      updated_at: now,
    });
  }

  /**
   * Gives up on a claimed event; it stays visible in the activity log and can be replayed. The failed run counts
   * as an attempt unless `countAttempt: false` (a takeover that claimDue already counted).
   */
  async markDead(
    id: string,
    workerId: string,
    error: string,
    {
      now = Date.now(),
      countAttempt = true,
      contactId,
      checkpoints,
    }: {
      now?: number;
      countAttempt?: boolean;
      contactId?: string | undefined;
      checkpoints?: Readonly<Record<string, unknown>>;
    } = {},
  ): Promise<boolean> {
    return this.ownedUpdate(id, workerId, {
      status: 'dead',
      attempts: countAttempt ? sql<number>`attempts + 1` : sql<number>`attempts`,
      ...(contactId === undefined ? {} : { contact_id: contactId }),
      ...this.checkpointsSet(checkpoints),
      last_error: shortError(error),
      lease_owner: null,
      lease_expires_at: null,
      processed_at: now,
      updated_at: now,
    });
  }

  /** Keeps a long-running event's lease alive; false when it was lost. */
  async extendLease(id: string, workerId: string, leaseMs: number, now = Date.now()): Promise<boolean> {
    return this.ownedUpdate(id, workerId, { lease_expires_at: now + leaseMs, updated_at: now });
  }

  private async ownedUpdate(
    id: string,
    workerId: string,
    values: UpdateObject<Database, 'inbox_events'>,
  ): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('inbox_events')
      .set(values)
      .where('id', '=', id)
      .where('lease_owner', '=', workerId)
      .where('status', '=', 'processing')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Sends a failed or dead event of `locationId` back to the queue. Checkpoints stay, so steps that already
   * wrote to GHL are not repeated.
   */
  async replay(id: string, locationId: string, now = Date.now()): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('inbox_events')
      .set({
        status: 'pending',
        attempts: 0,
        rate_limit_waits: 0,
        next_run_at: now,
        lease_owner: null,
        lease_expires_at: null,
        processed_at: null,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('location_id', '=', locationId)
      .where('status', 'in', ['failed', 'dead'])
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Cancels a location's waiting work (UNINSTALL). Events being processed right now finish or fail on their own. */
  async cancelPendingForLocation(locationId: string, now = Date.now()): Promise<number> {
    const result = await this.db.kysely
      .updateTable('inbox_events')
      .set({ status: 'cancelled', processed_at: now, updated_at: now })
      .where('location_id', '=', locationId)
      .where('status', 'in', ['pending', 'failed'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Records the GHL contact an event resolved to, as soon as it is known (the activity filter uses it). */
  async setContactId(id: string, contactId: string): Promise<void> {
    await this.db.kysely.updateTable('inbox_events').set({ contact_id: contactId }).where('id', '=', id).execute();
  }

  async get(id: string): Promise<InboxEventRow | undefined> {
    return this.db.kysely.selectFrom('inbox_events').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** One location's events, newest first, paged by an opaque keyset cursor. */
  async listForActivity(q: ActivityQuery): Promise<ActivityPage> {
    const limit = Math.max(1, Math.min(q.limit, 500));
    let query = this.db.kysely.selectFrom('inbox_events').selectAll().where('location_id', '=', q.locationId);
    if (q.status !== undefined) {
      const statuses: readonly InboxStatus[] = typeof q.status === 'string' ? [q.status] : q.status;
      if (statuses.length === 0) return { events: [], nextCursor: null };
      query = query.where('status', 'in', statuses);
    }
    if (q.contactId !== undefined) query = query.where('contact_id', '=', q.contactId);
    if (q.before !== undefined) {
      const c = decodeCursor(q.before);
      query = query.where((eb) =>
        eb.or([
          eb('received_at', '<', c.receivedAt),
          eb.and([eb('received_at', '=', c.receivedAt), eb('id', '<', c.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const events = rows.slice(0, limit);
    const last = events[events.length - 1];
    return { events, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  /** Number of events per status (every status present, zero when none), for one location or all. */
  async countByStatus(locationId?: string): Promise<Record<InboxStatus, number>> {
    let query = this.db.kysely
      .selectFrom('inbox_events')
      .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('status');
    if (locationId !== undefined) query = query.where('location_id', '=', locationId);
    const counts = Object.fromEntries(INBOX_STATUSES.map((s) => [s, 0])) as Record<InboxStatus, number>;
    for (const row of await query.execute()) counts[row.status] = Number(row.n);
    return counts;
  }

  /** How long the longest-waiting due event has been waiting (worker lag); 0 when nothing is due. */
  async oldestPendingAgeMs(now = Date.now()): Promise<number> {
    const row = await this.db.kysely
      .selectFrom('inbox_events')
      .select((eb) => eb.fn.min('next_run_at').as('oldest'))
      .where('status', 'in', ['pending', 'failed'])
      .where('next_run_at', '<=', now)
      .executeTakeFirst();
    const oldest = row?.oldest;
    return oldest === null || oldest === undefined ? 0 : Math.max(0, now - Number(oldest));
  }

  /**
   * Retention: drops the payloads of events that finished more than `olderThanMs` ago, keeping the rows for the
   * activity history. Failed and dead events keep theirs, since a replay needs them.
   */
  async purgeRawPayloads(olderThanMs: number, now = Date.now()): Promise<number> {
    const result = await this.db.kysely
      .updateTable('inbox_events')
      .set({ payload: null, raw_payload: null })
      .where('status', 'in', PURGEABLE)
      .where('processed_at', '<', now - olderThanMs)
      .where((eb) => eb.or([eb('payload', 'is not', null), eb('raw_payload', 'is not', null)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

/**
 * The row counts of the multi-row inserts a batch is split into, largest first: every size of batch is written
 * with these four statement shapes, so SQLite's statement cache holds four (one per batch size, up to 100, held
 * ~9 MB).
 */
const INSERT_CHUNKS = [64, 16, 4, 1];

function inChunks<T>(rows: T[]): T[][] {
  const chunks: T[][] = [];
  let at = 0;
  for (const size of INSERT_CHUNKS) {
    for (; rows.length - at >= size; at += size) chunks.push(rows.slice(at, at + size));
  }
  return chunks;
}

/** Every column a new row sets (rate_limit_waits takes its default): the Record type makes the list complete. */
const INSERT_COLUMN_SET: Record<Exclude<keyof NewInboxEventRow, 'rate_limit_waits'>, true> = {
  id: true, source: true, location_id: true, dedupe_key: true, event_type: true, ordering_key: true, contact_id: true,
  status: true, attempts: true, next_run_at: true, lease_owner: true, lease_expires_at: true, last_error: true,
  checkpoints: true, payload: true, raw_payload: true, result: true, received_at: true, updated_at: true,
  processed_at: true,
};
const INSERT_COLUMNS = Object.keys(INSERT_COLUMN_SET) as (keyof typeof INSERT_COLUMN_SET)[];

function newRow(e: NewInboxEvent, dedupeKey: string, now: number): NewInboxEventRow {
  return {
    id: newInboxEventId(now),
    source: e.source,
    location_id: e.locationId === null ? null : withoutNul(e.locationId),
    dedupe_key: dedupeKey,
    event_type: withoutNul(e.eventType),
    ordering_key: e.orderingKey === null ? null : indexable(e.orderingKey),
    contact_id: null,
    status: e.status,
    attempts: 0,
    next_run_at: e.nextRunAt ?? now,
    lease_owner: null,
    lease_expires_at: null,
    last_error: null,
    checkpoints: '{}',
    payload: toJson(e.payload),
    raw_payload: toJson(e.rawPayload),
    result: null,
    received_at: now,
    updated_at: now,
    processed_at: e.status === 'pending' ? null : now,
  };
}

/** PostgreSQL text cannot hold NUL (SQLite can): a webhook carrying one must still be stored, not answered 429. */
function withoutNul(value: string): string {
  return value.replaceAll('\u0000', '');
}

// A UTF-16 surrogate without its pair: it cannot be stored as UTF-8, and the drivers write U+FFFD instead.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A key that goes into a B-tree index: PostgreSQL refuses index rows over ~2.7 kB, so a key built from a huge
 * field (a 2 MB "email") is replaced by its hash, which keeps equal keys equal. Lone surrogates become U+FFFD
 * here, as the database would store them, so the key read back equals the key written (duplicate lookups).
 */
function indexable(key: string): string {
  const clean = withoutNul(key).replace(LONE_SURROGATE, '\uFFFD');
  return clean.length <= 512 ? clean : `sha256:${createHash('sha256').update(clean, 'utf8').digest('hex')}`;
}
