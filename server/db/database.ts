import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger';
import type { Database } from './schema';
import { startCheckpointer } from './sqlite-checkpointer';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

// pg returns int8 (bigint) as strings by default; every bigint here is an epoch-ms time or a counter, far below 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

export interface OpenOptions {
  /**
   * SQLite files: checkpoint the write-ahead log on a background thread (sqlite-checkpointer.ts) instead of inside
   * a commit. The server turns it on; tests and scripts need not.
   */
  backgroundCheckpoints?: boolean;
  /** Hears a failed background checkpoint; SQLite then checkpoints inside commits again. */
  onCheckpointError?: (message: string) => void;
}

/** SQLite's own checkpoint, kept as a backstop while the background thread runs: ~80 MB of WAL. */
const BACKSTOP_CHECKPOINT_PAGES = 20_000;
const SQLITE_DEFAULT_CHECKPOINT_PAGES = 1_000;
const BACKGROUND_CHECKPOINT_MS = 250;

/** Opens `sqlite:<path>`, `sqlite::memory:` or `postgres://…`. */
export function openDatabase(databaseUrl: string, options: OpenOptions = {}): Db {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length);
    const filename = file === ':memory:' ? ':memory:' : path.resolve(file);
    if (filename !== ':memory:') mkdirSync(path.dirname(filename), { recursive: true });
    const connection = new SQLite(filename);
    // WAL lets readers run beside the one writer; the busy timeout makes a second process wait instead of failing.
    connection.pragma('journal_mode = WAL');
    connection.pragma('busy_timeout = 5000');
    connection.pragma('synchronous = NORMAL');
    connection.pragma('foreign_keys = ON');
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
    if (!options.backgroundCheckpoints || filename === ':memory:') {
      return { kysely, dialect: 'sqlite', close: () => kysely.destroy() };
    }
    connection.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    const checkpointer = startCheckpointer(filename, {
      everyMs: BACKGROUND_CHECKPOINT_MS,
      onError: (message) => {
        if (connection.open) connection.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_CHECKPOINT_PAGES}`);
        options.onCheckpointError?.(message);
      },
    });
    return {
      kysely,
      dialect: 'sqlite',
      close: async () => {
        await checkpointer.stop();
        await kysely.destroy();
      },
    };
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { kysely, dialect: 'postgres', close: () => kysely.destroy() };
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query again; preparing costs more than running most of ours (the ingest
 * profile showed a tenth of all CPU in `prepare`). This keeps the most recently used statements by SQL text.
 * Reusing one is safe: Kysely runs one query at a time on its single SQLite connection (a mutex), and a streamed
 * query holds that connection until its iterator ends.
 */
export function withStatementCache(connection: SQLite.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => connection.close(),
    prepare(text) {
      let statement = statements.get(text);
      if (statement) {
        // Map order is insertion order: re-inserting keeps the least recently used first, to be evicted.
        statements.delete(text);
      } else {
        statement = connection.prepare(text);
        if (statements.size >= size) statements.delete(statements.keys().next().value!);
      }
      statements.set(text, statement);
      return statement;
    },
  };
}

/** The database as the server runs it (server/index.ts, and the bench's copy of it). */
export function openServerDatabase(databaseUrl: string, logger: Logger): Db {
  return openDatabase(databaseUrl, {
    backgroundCheckpoints: true,
    onCheckpointError: (message) => logger.warn({ message }, 'background checkpoint failed; SQLite checkpoints in commits again'),
  });
}

/** True when the database answers a trivial query (used by /healthz). */
export async function pingDatabase(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db.kysely);
    return true;
  } catch {
    return false;
  }
}
