import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The checkpoint thread, as CommonJS source run with `eval`: it needs no build step or TypeScript loader, so it
 * runs the same under node, tsx and vitest. It opens its own connection to the database file.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    // Passes until one finds nothing new (or 8): each copies what was committed during the one before.
    let log = -1;
    for (let pass = 0; pass < 8; pass++) {
      const [result] = db.pragma('wal_checkpoint(PASSIVE)');
      if (result.busy || result.log === log) break;
      log = result.log;
      if (result.checkpointed < log) break;
    }
    if (log > 0) parentPort.postMessage({ log });
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err) });
  }
}, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  everyMs: number;
  /** A round ended with `frames` frames in the log, as many of them copied as readers allowed. */
  onRound: (frames: number) => void;
  onError: (message: string) => void;
}

/**
 * Copies the SQLite write-ahead log back into the database file every `everyMs`, on its own thread. Left to
 * SQLite, the checkpoint runs inside whichever commit crosses the WAL's size limit, on the event loop, and
 * waits there for its fsyncs: under webhook load a third of the ingest's wall time (bench/ingest-bench.ts).
 * PASSIVE never blocks the writer. Each round repeats until a pass finds nothing new, then `onRound` says how
 * long the log is (the writer may then let it start over: database.ts). `onError` hears checkpoint errors and the
 * thread's death (the caller then lets SQLite checkpoint by itself again).
 */
export function startCheckpointer(file: string, options: CheckpointerOptions): Checkpointer {
  const worker = new Worker(SOURCE, {
    eval: true,
    workerData: { file, everyMs: options.everyMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  worker.unref();
  worker.on('message', (message: { log?: number; error?: string }) => {
    if (message.error !== undefined) options.onError(message.error);
    else if (message.log !== undefined) options.onRound(message.log);
  });
  worker.on('error', (err) => options.onError(err.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stop: async () => {
      worker.postMessage('stop');
      await exited;
    },
  };
}
