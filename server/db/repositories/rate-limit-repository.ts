import { sql, type Kysely } from 'kysely';
import type { Db } from '../database';
import type { Database } from '../schema';

/** What GHL told us about a key (a block, a smaller max, a longer interval); defaults when nothing was stored. */
export interface RateLimitKeyState {
  blockedUntil: number;
  reportedMax: number | null;
  windowMs: number | null;
}

/** A call that still counts against its key's window. */
export interface LiveCall {
  expiresAt: number;
}

export interface NewCall {
  id: string;
  at: number;
  expiresAt: number;
  settled: boolean;
}

/**
 * Every statement of this repository on SQLite runs one after another within the process. better-sqlite3 waits
 * for another connection's write lock synchronously (busy_timeout), so a second connection to the same file in
 * one process (tests, tools) would block the event loop while the holder's transaction, waiting on that loop
 * to finish, could never commit. Across processes SQLite's own lock decides.
 */
let sqliteChain: Promise<unknown> = Promise.resolve();
function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const run = sqliteChain.then(fn, fn);
  sqliteChain = run.catch(() => undefined);
  return run;
}

// Namespace of the two-key advisory locks, apart from the one-key locks other repositories take ('GHLR').
const ADVISORY_NAMESPACE = 0x47484c52;

/** The statements run while a key is locked; only valid inside `RateLimitRepository.withKeyLock`. */
export class RateLimitKeyTx {
  constructor(
    private readonly k: Kysely<Database>,
    readonly key: string,
  ) {}

  async readKey(): Promise<RateLimitKeyState> {
    const row = await this.k
      .selectFrom('ghl_rate_limit_keys')
      .select(['blocked_until', 'reported_max', 'window_ms'])
      .where('key', '=', this.key)
      .executeTakeFirst();
    return {
      blockedUntil: Number(row?.blocked_until ?? 0),
      reportedMax: row?.reported_max == null ? null : Number(row.reported_max),
      windowMs: row?.window_ms == null ? null : Number(row.window_ms),
    };
  }

  /** The calls counting at `now`, soonest to expire first. */
  async liveCalls(now: number): Promise<LiveCall[]> {
    const rows = await this.k
      .selectFrom('ghl_rate_limit_calls')
      .select('expires_at')
      .where('key', '=', this.key)
      .where('expires_at', '>', now)
      .orderBy('expires_at')
      .execute();
    return rows.map((r) => ({ expiresAt: Number(r.expires_at) }));
  }

  async insertCalls(calls: readonly NewCall[]): Promise<void> {
    if (calls.length === 0) return;
    await this.k
      .insertInto('ghl_rate_limit_calls')
      .values(calls.map((c) => ({ id: c.id, key: this.key, at: c.at, expires_at: c.expiresAt, settled: c.settled ? 1 : 0 })))
      .execute();
  }

  /** Deletes this key's calls that no longer count. */
  async purgeExpired(now: number): Promise<void> {
    await this.k.deleteFrom('ghl_rate_limit_calls').where('key', '=', this.key).where('expires_at', '<=', now).execute();
  }
}

/**
 * State of the GHL rate limiter shared by every process through the database (migration 0005). A key is counted
 * and appended to under a lock that spans processes, so two processes can never both take the last slot:
 * PostgreSQL `pg_advisory_xact_lock` on the key's hash inside a transaction; SQLite `BEGIN IMMEDIATE`, which takes
 * the database's one write lock before anything is read (a plain BEGIN would read first and could fail to
 * upgrade with SQLITE_BUSY while another process writes).
 */
export class RateLimitRepository {
  constructor(private readonly db: Db) {}

  /** Runs `fn` holding the key's cross-process lock, in one short transaction. */
  async withKeyLock<T>(key: string, fn: (tx: RateLimitKeyTx) => Promise<T>): Promise<T> {
    if (this.db.dialect === 'postgres') {
      return this.db.kysely.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${ADVISORY_NAMESPACE}::int4, hashtext(${key}))`.execute(trx);
        return fn(new RateLimitKeyTx(trx, key));
      });
    }
    // connection() holds Kysely's single SQLite connection for the callback, so nothing else of this process
    // can slip a statement into the transaction.
    return serialised(() => this.db.kysely.connection().execute((conn) => immediateTransaction(conn, key, fn)));
  }

  /** Marks a call answered at `at`: it now counts until `expiresAt` (never later than it did in flight). */
  async settle(id: string, at: number, expiresAt: number): Promise<void> {
    const query = this.db.kysely
      .updateTable('ghl_rate_limit_calls')
      .set({ at, expires_at: expiresAt, settled: 1 })
      .where('id', '=', id)
      .where('expires_at', '>', expiresAt);
    await this.run(() => query.execute());
  }

  /** Blocks the key until `until`, or keeps the later block already stored. */
  async block(key: string, until: number, now: number): Promise<void> {
    const query = this.db.kysely
      .insertInto('ghl_rate_limit_keys')
      .values({ key, blocked_until: until, reported_max: null, window_ms: null, updated_at: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          blocked_until: sql<number>`case when ghl_rate_limit_keys.blocked_until > excluded.blocked_until
            then ghl_rate_limit_keys.blocked_until else excluded.blocked_until end`,
          updated_at: now,
        }),
      );
    await this.run(() => query.execute());
  }

  /**
   * Stores the limits GHL reported for the key: the latest `reportedMax`, and `windowMs` when longer than the
   * stored one (an interval only ever grows, as in the in-process limiter).
   */
  async learn(key: string, limits: { reportedMax?: number; windowMs?: number }, now: number): Promise<void> {
    const reportedMax = limits.reportedMax ?? null;
    const windowMs = limits.windowMs ?? null;
    const query = this.db.kysely
      .insertInto('ghl_rate_limit_keys')
      .values({ key, blocked_until: 0, reported_max: reportedMax, window_ms: windowMs, updated_at: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          reported_max: sql<number | null>`coalesce(excluded.reported_max, ghl_rate_limit_keys.reported_max)`,
          window_ms: sql<number | null>`case when ghl_rate_limit_keys.window_ms is null
              or excluded.window_ms > ghl_rate_limit_keys.window_ms
            then coalesce(excluded.window_ms, ghl_rate_limit_keys.window_ms) else ghl_rate_limit_keys.window_ms end`,
          updated_at: now,
        }),
      );
    await this.run(() => query.execute());
  }

  /** Deletes every key's calls that no longer count (keys nobody calls any more). Returns how many went. */
  async purgeExpired(now: number): Promise<number> {
    const query = this.db.kysely.deleteFrom('ghl_rate_limit_calls').where('expires_at', '<=', now);
    const result = await this.run(() => query.executeTakeFirst());
    return Number(result.numDeletedRows);
  }

  /** Live calls and block of a key (metrics, tests). */
  async snapshot(key: string, now: number): Promise<{ inWindow: number; blockedUntil: number }> {
    const count = this.db.kysely
      .selectFrom('ghl_rate_limit_calls')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('key', '=', key)
      .where('expires_at', '>', now);
    const state = this.db.kysely.selectFrom('ghl_rate_limit_keys').select('blocked_until').where('key', '=', key);
    const [n, row] = await this.run(() => Promise.all([count.executeTakeFirst(), state.executeTakeFirst()]));
    return { inWindow: Number(n?.n ?? 0), blockedUntil: Number(row?.blocked_until ?? 0) };
  }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.dialect === 'sqlite' ? serialised(fn) : fn();
  }
}

/** SQLite: BEGIN IMMEDIATE takes the write lock first (waiting up to busy_timeout for another process). */
async function immediateTransaction<T>(
  conn: Kysely<Database>,
  key: string,
  fn: (tx: RateLimitKeyTx) => Promise<T>,
): Promise<T> {
  await sql`begin immediate`.execute(conn);
  let result: T;
  try {
    result = await fn(new RateLimitKeyTx(conn, key));
  } catch (err) {
    await sql`rollback`.execute(conn);
    throw err;
  }
  await sql`commit`.execute(conn);
  return result;
}
