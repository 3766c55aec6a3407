import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db, type Dialect } from '../../server/db/database';
import { migrateToLatest } from '../../server/db/migrate';

/**
 * The databases a repository or sync test runs on: SQLite always, PostgreSQL whenever TEST_DATABASE_URL is set.
 * Use with `describe.each(testDialects())`.
 */
export function testDialects(): Dialect[] {
  return process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface TestDb extends Db {
  /** A connection string to the same database, for child processes (PostgreSQL, or an SQLite file). */
  url: string;
  /** Closes and removes what was created (the PostgreSQL schema). */
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated database. SQLite: in memory (or a temp file with `{ file: true }` when several processes
 * must share it). PostgreSQL: a new schema in TEST_DATABASE_URL, dropped by destroy().
 */
export async function createTestDb(dialect: Dialect, options: { file?: boolean } = {}): Promise<TestDb> {
  if (dialect === 'sqlite') {
    const url = options.file
      ? `sqlite:${(await import('node:os')).tmpdir()}/rlghl-${randomBytes(6).toString('hex')}.db`
      : 'sqlite::memory:';
    const db = openDatabase(url);
    await migrateToLatest(db);
    return {
      ...db,
      url,
      destroy: async () => {
        await db.close();
        if (options.file) {
          const { rmSync } = await import('node:fs');
          for (const suffix of ['', '-wal', '-shm']) rmSync(url.slice('sqlite:'.length) + suffix, { force: true });
        }
      },
    };
  }
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const url = withSearchPath(base, schema);
  // Kysely's migrator lists tables across every schema; a schema dropped by another test file meanwhile makes
  // that query fail (3F000). Creating, migrating and dropping test schemas under one advisory lock avoids it.
  const db = await underSchemaLock(base, async (admin) => {
    await admin.query(`create schema ${schema}`);
    const opened = openDatabase(url);
    await migrateToLatest(opened);
    return opened;
  });
  return {
    ...db,
    url,
    destroy: async () => {
      await db.close();
      await underSchemaLock(base, (admin) => admin.query(`drop schema ${schema} cascade`));
    },
  };
}

const SCHEMA_LOCK = 72_310_001;

async function underSchemaLock<T>(base: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock($1)', [SCHEMA_LOCK]);
    return await work(admin);
  } finally {
    await admin.query('select pg_advisory_unlock($1)', [SCHEMA_LOCK]).catch(() => undefined);
    await admin.end();
  }
}

function withSearchPath(base: string, schema: string): string {
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}
