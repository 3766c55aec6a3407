import { setImmediate as nextTurn } from 'node:timers';
import type SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type SqliteDatabase,
} from 'kysely';
import type { QueryRunner } from './prepared-query';

interface Queued {
  query: CompiledQuery;
  resolve: (result: QueryResult<unknown>) => void;
  reject: (error: unknown) => void;
}

/** The connection as the driver uses it: Kysely's SQLite interface, and whether a transaction is open. */
export type GroupCommitDatabase = SqliteDatabase & { readonly inTransaction: boolean };

type Outcome = { ok: true; result: QueryResult<unknown> } | { ok: false; error: unknown };

/** Statements that open a transaction on SQLite's one connection: its owner runs alone until it ends. */
const OPENS_TRANSACTION = /^\s*(?:begin|savepoint)\b/i;
/** Statements that end one: only its owner may run them, never inside someone else's group. */
const ENDS_TRANSACTION = /^\s*(?:commit|end|rollback|release)\b/i;

/**
 * A statement's group was rolled back (by SQLite itself on a full disk or an I/O error, or because its COMMIT
 * failed): the statement had run, but its change did not last.
 */
export class GroupRolledBackError extends Error {
  constructor(readonly reason: unknown) {
    super(`The statement's group commit was rolled back: ${reason instanceof Error ? reason.message : String(reason)}`);
    this.name = 'GroupRolledBackError';
  }
}

/**
 * Group commit for Kysely on one better-sqlite3 connection. The write statements issued within one turn of the
 * event loop run together in one `BEGIN IMMEDIATE … COMMIT`, in the order they were issued, and each caller hears
 * of its statement only after that commit: what a caller was told is stored stays stored. Under load a drained
 * event's ~6 small writes (checkpoint, own-write record, message, last message, completion) each paid a commit of
 * its own, which writes every page it touched to the log; together, a page touched by several writes is written
 * once (`npm run bench`, drain).
 *
 * - A statement that fails gets its own error; SQLite undoes that statement alone and the others commit. If SQLite
 *   rolled the whole transaction back instead (disk full, I/O error), the statements that had run before it get a
 *   GroupRolledBackError and the rest run in a new transaction.
 * - A read runs at once when no write is waiting (it sees only committed data, as before); otherwise it queues
 *   behind the writes issued before it, so a caller never reads past its own unanswered write.
 * - A connection that opens a transaction (Kysely's `transaction()`, or `BEGIN IMMEDIATE` through `connection()`)
 *   first lets the waiting statements run, then owns the connection until its transaction ends; everything else
 *   queues meanwhile, as Kysely's own SQLite driver made it wait on a mutex.
 * - Alone, a write runs in autocommit, as before, one turn of the loop later.
 */
export class GroupCommitDialect extends SqliteDialect {
  private driver: GroupCommitDriver | undefined;

  constructor(private readonly database: GroupCommitDatabase) {
    super({ database });
  }

  override createDriver(): Driver {
    return this.driverOnce();
  }

  /**
   * Runs compiled statements straight on the driver, past Kysely's executor: for prepared statements
   * (prepared-query.ts), whose connection acquire and release through Kysely cost more than most of them do.
   */
  statements(): QueryRunner {
    return new GroupConnection(this.driverOnce());
  }

  private driverOnce(): GroupCommitDriver {
    this.driver ??= new GroupCommitDriver(this.database);
    return this.driver;
  }
}

class GroupCommitDriver implements Driver {
  private queued: Queued[] = [];
  private scheduled = false;
  /** The connection whose transaction is open, and the connections waiting to open theirs. */
  private owner: GroupConnection | undefined;
  private readonly waitingOwners: (() => void)[] = [];

  constructor(private readonly db: GroupCommitDatabase) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GroupConnection(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (this.owner !== connection) return;
    // A transaction left open by its owner (a bug) must not hold everyone else's statements.
    if (this.db.inTransaction) this.db.prepare('rollback').run([]);
    this.release();
  }

  async destroy(): Promise<void> {
    this.flush();
    this.db.close();
  }

  /** A statement of `connection`: inside its transaction, or queued for the next group. */
  executeFor(connection: GroupConnection, query: CompiledQuery): Promise<QueryResult<unknown>> {
    if (this.owner === connection) return this.runOwned(connection, query);
    if (OPENS_TRANSACTION.test(query.sql)) return this.openTransaction(connection, query);
    if (ENDS_TRANSACTION.test(query.sql)) {
      // Its transaction is gone already (SQLite rolled it back on an error) or never began.
      return Promise.reject(new Error(`No transaction of this connection is open for "${query.sql.trim()}"`));
    }
    if (!this.owner && this.queued.length === 0) {
      const statement = this.prepare(query.sql);
      if (!statement.ok) return Promise.reject(statement.error);
      if (statement.readonly) return settle(execute(statement.statement, query));
    }
    return new Promise((resolve, reject) => {
      if (this.queued.push({ query, resolve, reject }) === 1) this.schedule();
    });
  }

  private runOwned(connection: GroupConnection, query: CompiledQuery): Promise<QueryResult<unknown>> {
    const outcome = this.run(query);
    if (!this.db.inTransaction && this.owner === connection) this.release();
    return settle(outcome);
  }

  private async openTransaction(connection: GroupConnection, query: CompiledQuery): Promise<QueryResult<unknown>> {
    while (this.owner) await new Promise<void>((resolve) => this.waitingOwners.push(resolve));
    // The statements issued before this transaction run before it.
    this.flush();
    this.owner = connection;
    return this.runOwned(connection, query);
  }

  private release(): void {
    this.owner = undefined;
    const next = this.waitingOwners.shift();
    if (next) next();
    else if (this.queued.length > 0) this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // node:timers' own function, not the global one: tests that fake the global timers must not stall writes.
    nextTurn(() => {
      this.scheduled = false;
      if (!this.owner) this.flush();
    });
  }

  private flush(): void {
    const batch = this.queued;
    this.queued = [];
    if (batch.length === 0) return;
    if (batch.length === 1) {
      const [only] = batch as [Queued];
      deliver(only, this.run(only.query));
      return;
    }
    const outcomes: Outcome[] = [];
    let open = false;
    for (const [i, item] of batch.entries()) {
      if (!open) {
        const begun = this.runText('begin immediate');
        if (!begun.ok) {
          for (const rest of batch.slice(i)) rest.reject(begun.error);
          batch.slice(0, i).forEach((done, j) => deliver(done, outcomes[j]!));
          return;
        }
        open = true;
      }
      const outcome = this.run(item.query);
      if (!outcome.ok && !this.db.inTransaction) {
        // SQLite gave up the whole transaction: what ran before this statement in it is gone too.
        for (let j = outcomes.length - 1; j >= 0 && outcomes[j]!.ok; j--) {
          outcomes[j] = { ok: false, error: new GroupRolledBackError(outcome.error) };
        }
        open = false;
      }
      outcomes.push(outcome);
    }
    if (open) {
      const committed = this.runText('commit');
      if (!committed.ok) {
        if (this.db.inTransaction) this.runText('rollback');
        for (let j = outcomes.length - 1; j >= 0 && outcomes[j]!.ok; j--) {
          outcomes[j] = { ok: false, error: new GroupRolledBackError(committed.error) };
        }
      }
    }
    batch.forEach((item, i) => deliver(item, outcomes[i]!));
  }

  private runText(text: string): Outcome {
    return this.run(CompiledQuery.raw(text));
  }

  private run(query: CompiledQuery): Outcome {
    const prepared = this.prepare(query.sql);
    return prepared.ok ? execute(prepared.statement, query) : prepared;
  }

  /** A statement that does not compile (a missing table) is its caller's error, never the group's. */
  private prepare(text: string): { ok: true; statement: SQLite.Statement; readonly: boolean } | { ok: false; error: unknown } {
    try {
      const statement = this.db.prepare(text) as SQLite.Statement;
      return { ok: true, statement, readonly: statement.readonly };
    } catch (error) {
      return { ok: false, error };
    }
  }
}

class GroupConnection implements DatabaseConnection {
  constructor(private readonly driver: GroupCommitDriver) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.driver.executeFor(this, query) as Promise<QueryResult<R>>;
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming queries are not supported on SQLite here');
  }
}

function execute(statement: SQLite.Statement, { parameters }: CompiledQuery): Outcome {
  try {
    if (statement.reader) return { ok: true, result: { rows: statement.all(parameters as unknown[]) } };
    const { changes, lastInsertRowid } = statement.run(parameters as unknown[]);
    return { ok: true, result: { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] } };
  } catch (error) {
    return { ok: false, error };
  }
}

function settle(outcome: Outcome): Promise<QueryResult<unknown>> {
  return outcome.ok ? Promise.resolve(outcome.result) : Promise.reject(outcome.error);
}

function deliver(item: Queued, outcome: Outcome): void {
  if (outcome.ok) item.resolve(outcome.result);
  else item.reject(outcome.error);
}
