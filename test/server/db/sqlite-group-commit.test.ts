import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withStatementCache } from '../../../server/db/database';
import { GroupCommitDialect, GroupRolledBackError } from '../../../server/db/sqlite-group-commit';

interface Tables {
  t: { id: number; name: string };
  trap: { id: number };
  child: { id: number; parent: number };
}

describe('GroupCommitDialect', () => {
  let file: string;
  let connection: SQLite.Database;
  let db: Kysely<Tables>;
  /** Every statement the driver ran, in order, as SQL text (its runs, not its prepares). */
  let ran: string[];
  /** A second connection to the same file: it sees only what was committed. */
  let other: SQLite.Database;

  async function open() {
    file = path.join(tmpdir(), `rlghl-group-${randomBytes(6).toString('hex')}.db`);
    connection = new SQLite(file);
    connection.pragma('journal_mode = WAL');
    connection.pragma('foreign_keys = ON');
    const cache = withStatementCache(connection);
    ran = [];
    const recording = {
      get inTransaction() {
        return cache.inTransaction;
      },
      close: () => cache.close(),
      prepare: (text: string) => {
        const statement = cache.prepare(text) as unknown as SQLite.Statement;
        const log = () => ran.push(text.trim().toLowerCase());
        return {
          reader: statement.reader,
          readonly: statement.readonly,
          all: (parameters: unknown[]) => (log(), statement.all(parameters)),
          run: (parameters: unknown[]) => (log(), statement.run(parameters)),
        } as unknown as ReturnType<typeof cache.prepare>;
      },
    };
    db = new Kysely<Tables>({ dialect: new GroupCommitDialect(recording) });
    await sql`create table t (id integer primary key, name text not null)`.execute(db);
    await sql`create table trap (id integer primary key)`.execute(db);
    // RAISE(ROLLBACK) undoes the whole transaction, as SQLite does itself on a full disk or an I/O error.
    await sql`create trigger trap_rollback before insert on trap begin select raise(rollback, 'trapped'); end`.execute(db);
    await sql`create table child (id integer primary key,
      parent integer references t (id) deferrable initially deferred)`.execute(db);
    other = new SQLite(file, { readonly: true });
    ran = [];
  }

  afterEach(async () => {
    other?.close();
    await db?.destroy();
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  });

  const insert = (id: number, name = `n${id}`) => db.insertInto('t').values({ id, name }).execute();
  const committedIds = () => (other.prepare('select id from t order by id').all() as { id: number }[]).map((r) => r.id);

  it('writes issued in one turn share one transaction, in the order they were issued', async () => {
    await open();
    await Promise.all([insert(1), insert(2), db.updateTable('t').set({ name: 'changed' }).where('id', '=', 1).execute()]);
    expect(ran).toEqual([
      'begin immediate',
      'insert into "t" ("id", "name") values (?, ?)',
      'insert into "t" ("id", "name") values (?, ?)',
      'update "t" set "name" = ? where "id" = ?',
      'commit',
    ]);
    expect(other.prepare('select id, name from t order by id').all()).toEqual([
      { id: 1, name: 'changed' },
      { id: 2, name: 'n2' },
    ]);
  });

  it('a caller hears of its write only once it is committed', async () => {
    await open();
    const seenAtAnswer: number[][] = [];
    await Promise.all([1, 2, 3].map((id) => insert(id).then(() => seenAtAnswer.push(committedIds()))));
    expect(seenAtAnswer).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });

  it('a write alone runs in autocommit, without a transaction of its own', async () => {
    await open();
    await insert(1);
    expect(ran).toEqual(['insert into "t" ("id", "name") values (?, ?)']);
    expect(committedIds()).toEqual([1]);
  });

  it('a failing statement gets its own error; the others of its group commit', async () => {
    await open();
    await insert(1);
    const results = await Promise.allSettled([insert(2), insert(1, 'duplicate'), insert(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    expect(committedIds()).toEqual([1, 2, 3]);
  });

  it('a statement that does not compile fails alone, in a group or by itself', async () => {
    await open();
    const missing = () => sql`insert into nowhere (id) values (1)`.execute(db);
    const results = await Promise.allSettled([insert(1), missing(), insert(2)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/no such table: nowhere/);
    await expect(missing()).rejects.toThrow(/no such table/);
    await expect(sql`select * from nowhere`.execute(db)).rejects.toThrow(/no such table/);
    expect(committedIds()).toEqual([1, 2]);
    expect(connection.inTransaction).toBe(false);
  });

  it('when SQLite rolls the whole transaction back, the statements before it fail too and the rest still run', async () => {
    await open();
    const results = await Promise.allSettled([
      insert(1),
      insert(2),
      db.insertInto('trap').values({ id: 1 }).execute(),
      insert(3),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'fulfilled']);
    for (const r of results.slice(0, 2)) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(GroupRolledBackError);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/trapped/);
    expect(committedIds()).toEqual([3]);
    expect(connection.inTransaction).toBe(false);
  });

  it('a commit that fails takes back its whole group, and every caller hears so', async () => {
    await open();
    // The deferred foreign key is checked at COMMIT: the row pointing at a missing parent fails it.
    const results = await Promise.allSettled([
      insert(1),
      db.insertInto('child').values({ id: 1, parent: 99 }).execute(),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    for (const r of results) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(GroupRolledBackError);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY constraint failed/);
    expect(committedIds()).toEqual([]);
    expect(connection.inTransaction).toBe(false);
    // The connection is usable afterwards.
    await insert(2);
    expect(committedIds()).toEqual([2]);
  });

  it('a read issued behind a waiting write sees it; a read with nothing waiting runs at once', async () => {
    await open();
    const write = insert(1);
    const read = db.selectFrom('t').select('id').execute();
    expect(await read).toEqual([{ id: 1 }]);
    await write;

    let answered = false;
    const alone = db.selectFrom('t').select('id').execute().then(() => (answered = true));
    // Answered within this turn: a queued statement would wait for the group flushed on the next one.
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(true);
    await alone;

    ran = [];
    let queuedAnswered = false;
    const write2 = insert(2);
    const queuedRead = db.selectFrom('t').select('id').execute().then(() => (queuedAnswered = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(queuedAnswered).toBe(false);
    await Promise.all([write2, queuedRead]);
    expect(ran).toEqual(['begin immediate', 'insert into "t" ("id", "name") values (?, ?)', 'select "id" from "t"', 'commit']);
  });

  it('an explicit transaction runs alone: earlier writes go first, writes issued meanwhile wait and are not part of it', async () => {
    await open();
    const before = insert(1);
    let during: Promise<unknown> | undefined;
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 2, name: 'in trx' }).execute();
        during = insert(3);
        // Issued while the transaction is open: it must not run inside it.
        await new Promise((resolve) => setTimeout(resolve, 10));
        expect(committedIds()).toEqual([1]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await before;
    await during;
    expect(committedIds()).toEqual([1, 3]);
  });

  it('an explicit transaction SQLite rolled back itself ends cleanly, and its rollback never lands in a group', async () => {
    await open();
    let queued: Promise<unknown> | undefined;
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 1, name: 'in trx' }).execute();
        queued = insert(2);
        await trx.insertInto('trap').values({ id: 1 }).execute();
      }),
    ).rejects.toThrow();
    await queued;
    await insert(3);
    expect(committedIds()).toEqual([2, 3]);
    expect(ran.filter((s) => s === 'rollback')).toEqual([]);
  });

  it('BEGIN IMMEDIATE through connection() holds the connection until COMMIT, as the SQLite rate limiter uses it', async () => {
    await open();
    let queued: Promise<unknown> | undefined;
    await db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      await conn.insertInto('t').values({ id: 1, name: 'a' }).execute();
      queued = insert(2);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(committedIds()).toEqual([]);
      await sql`commit`.execute(conn);
    });
    await queued;
    expect(committedIds()).toEqual([1, 2]);
  });

  it('writes still commit while the global timers are faked (it schedules with node:timers)', async () => {
    await open();
    vi.useFakeTimers();
    try {
      await Promise.all([insert(1), insert(2)]);
    } finally {
      vi.useRealTimers();
    }
    expect(committedIds()).toEqual([1, 2]);
  });
});
