import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withStatementCache } from '../../../server/db/database';

describe('withStatementCache', () => {
  let connection: SQLite.Database;
  afterEach(() => connection?.close());

  function cached(size?: number) {
    connection = new SQLite(':memory:');
    const prepare = vi.spyOn(connection, 'prepare');
    return { cache: withStatementCache(connection, size), prepare };
  }

  it('prepares each SQL text once and hands back the same statement', () => {
    const { cache, prepare } = cached();
    const first = cache.prepare('select 1 as one');
    const again = cache.prepare('select 1 as one');
    expect(again).toBe(first);
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(again.all([])).toEqual([{ one: 1 }]);
  });

  it('evicts the least recently used statement when full', () => {
    const { cache, prepare } = cached(2);
    cache.prepare('select 1');
    cache.prepare('select 2');
    cache.prepare('select 1'); // now "select 2" is the least recently used
    cache.prepare('select 3'); // evicts "select 2"
    expect(prepare).toHaveBeenCalledTimes(3);
    cache.prepare('select 1');
    cache.prepare('select 3');
    expect(prepare).toHaveBeenCalledTimes(3);
    cache.prepare('select 2');
    expect(prepare).toHaveBeenCalledTimes(4);
  });

  it('keeps results right through Kysely, parameters, transactions and a schema change', async () => {
    const { cache } = cached();
    const db = new Kysely<{ t: { id: number; name: string } }>({ dialect: new SqliteDialect({ database: cache }) });
    await sql`create table t (id integer primary key, name text)`.execute(db);
    for (const [id, name] of [[1, 'א'], [2, 'b']] as const) await db.insertInto('t').values({ id, name }).execute();
    const byId = (id: number) => db.selectFrom('t').select('name').where('id', '=', id).executeTakeFirst();
    expect(await byId(1)).toEqual({ name: 'א' });
    expect(await byId(2)).toEqual({ name: 'b' });

    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 3, name: 'c' }).execute();
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await byId(3)).toBeUndefined();

    // A cached statement stays valid after the table changes shape (SQLite re-prepares it).
    const all = () => db.selectFrom('t').selectAll().where('id', '=', 2).executeTakeFirst();
    expect(await all()).toEqual({ id: 2, name: 'b' });
    await sql`alter table t add column extra text`.execute(db);
    expect(await all()).toEqual({ id: 2, name: 'b', extra: null });
    await db.destroy();
  });
});
