import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger';
import type { Database } from './schema';
import { startCheckpointer } from './sqlite-checkpointer';
import type { QueryRunner } from './prepared-query';
import { GroupCommitDialect, type GroupCommitDatabase } from './sqlite-group-commit';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** Where prepared statements run (prepared-query.ts): SQLite's driver itself; on PostgreSQL, `kysely`. */
  statements: QueryRunner;
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
/**
 * Once the thread has copied a log this long, this connection runs one PASSIVE checkpoint itself so the log starts
 * over: see onRound below.
 */
const RESTART_AFTER_PAGES = 4_000;
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
    // 32 MB of page cache (SQLite's default is 2 MB): each webhook's row lands on a random leaf of three indexes
    // (dedupe key, location, ordering key), and with 2 MB those leaves were read back from the OS on almost every
    // insert. `npm run bench` (ingest): ~270 → ~240 µs of CPU per webhook, ~14 MB more RSS.
    connection.pragma('cache_size = -32768');
    const dialect = new GroupCommitDialect(withStatementCache(connection));
    const kysely = new Kysely<Database>({ dialect });
    const statements = dialect.statements();
    if (!options.backgroundCheckpoints || filename === ':memory:') {
      return { kysely, dialect: 'sqlite', statements, close: () => kysely.destroy() };
    }
    connection.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    const checkpointer = startCheckpointer(filename, {
      everyMs: BACKGROUND_CHECKPOINT_MS,
      // SQLite starts the log over only when a write begins after a checkpoint copied every frame. Under steady
      // writes the thread's checkpoint never ends before the next commit, so the log grew to the backstop, whose
      // checkpoint then ran inside a webhook's commit: 20–45 ms every second, the ingest's p99. Here, on the
      // writer's own thread and so between two commits, only the frames committed since the thread's last pass
      // are left to copy, and the next write starts the log over.
      onRound: (frames) => {
        if (frames < RESTART_AFTER_PAGES || !connection.open) return;
        try {
          connection.pragma('wal_checkpoint(PASSIVE)');
        } catch {
          // Inside a transaction or busy: nothing is lost, the thread's next report tries again.
        }
      },
      onError: (message) => {
        if (connection.open) connection.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_CHECKPOINT_PAGES}`);
        options.onCheckpointError?.(message);
      },
    });
    return {
      kysely,
      dialect: 'sqlite',
      statements,
      close: async () => {
        await checkpointer.stop();
        await kysely.destroy();
      },
    };
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { kysely, dialect: 'postgres', statements: kysely, close: () => kysely.destroy() };
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * The SQLite driver prepares every query again; preparing costs more than running most of ours (the ingest
 * profile showed a tenth of all CPU in `prepare`). This keeps the most recently used statements by SQL text.
 * Reusing one is safe: the driver (sqlite-group-commit.ts) runs each statement to its end before the next, and
 * streams none.
 */
export function withStatementCache(connection: SQLite.Database, size = STATEMENT_CACHE_SIZE): GroupCommitDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    get inTransaction() {
      return connection.inTransaction;
    },
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
