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
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage(String((err && err.message) || err));
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

/**
 * Copies the SQLite write-ahead log back into the database file every `everyMs`, on its own thread. Left to
 * SQLite, the checkpoint runs inside whichever commit crosses the WAL's size limit, on the event loop, and
 * waits there for its fsyncs: under webhook load a third of the ingest's wall time (bench/ingest-bench.ts).
 * PASSIVE never blocks the writer. `onError` hears checkpoint errors and the thread's death (the caller then
 * lets SQLite checkpoint by itself again).
 */
export function startCheckpointer(file: string, options: { everyMs: number; onError: (message: string) => void }): Checkpointer {
  const worker = new Worker(SOURCE, {
    eval: true,
    workerData: { file, everyMs: options.everyMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  worker.unref();
  worker.on('message', (message: string) => options.onError(message));
  worker.on('error', (err) => options.onError(err.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stop: async () => {
      worker.postMessage('stop');
      await exited;
    },
  };
}
