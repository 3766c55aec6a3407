import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildServer, root, serverExecArgv } from '../scripts/build-server.mjs';
import type { BenchCommand, BenchCommands, BenchReady, BenchReply } from './bench-protocol';

/**
 * The bench server bundled by the production build (scripts/build-server.mjs) and run with the production node
 * flags, so the figures are those of `npm start`, not of the sources under tsx. Built once per bench run.
 */
const BUILD_DIR = path.join(root, 'dist', `bench-server-${process.pid}`); // in the tree: the bundle imports better-sqlite3 from node_modules
let built: Promise<string> | undefined;
function builtServerEntry(): Promise<string> {
  built ??= buildServer({ entryPoints: ['bench/bench-server.ts'], outdir: BUILD_DIR }).then(() => {
    process.once('exit', () => rmSync(BUILD_DIR, { recursive: true, force: true }));
    return path.join(BUILD_DIR, 'bench-server.js');
  });
  return built;
}

/** The bench server as the orchestrator sees it: its URLs, a typed call, and stop(). */
export interface BenchChild {
  appUrl: string;
  ceilingUrl: string;
  pid: number;
  call<C extends BenchCommand>(cmd: C, args: BenchCommands[C]['args']): Promise<BenchCommands[C]['result']>;
  stop(): Promise<void>;
}

/** The production-mode environment of a bench server on its own SQLite file (removed by stop()). */
export function benchEnv(extra: Record<string, string> = {}): { env: Record<string, string>; dbFile: string } {
  const dbFile = path.join(tmpdir(), `rlghl-bench-${randomBytes(6).toString('hex')}.db`);
  return {
    dbFile,
    env: {
      GHL_CLIENT_ID: 'benchapp-client',
      GHL_CLIENT_SECRET: 'bench-client-secret',
      GHL_SSO_KEY: 'bench-sso-shared-secret',
      APP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SESSION_SECRET: randomBytes(24).toString('hex'),
      PUBLIC_URL: 'http://127.0.0.1:3999',
      DATABASE_URL: `sqlite:${dbFile}`,
      DATA_DIR: path.join(tmpdir(), 'rlghl-bench-data'),
      // Production default: one JSON line per stored webhook. The child's stdout goes to /dev/null, so the cost
      // of building each line is measured and the cost of a log shipper is not.
      LOG_LEVEL: 'info',
      ...extra,
    },
  };
}

/** Where `--profile` puts CPU profiles of the measured phases (set by bench/run.ts; undefined: no profiling). */
let profileDir: string | undefined;
export function profileInto(dir: string | undefined): void {
  profileDir = dir;
}

/** Runs `measure` under the bench server's CPU profiler when `--profile` asked for it. */
export async function profiled<T>(child: BenchChild, name: string, measure: () => Promise<T>): Promise<T> {
  if (!profileDir) return measure();
  await child.call('profile', { action: 'start' });
  try {
    return await measure();
  } finally {
    await child.call('profile', { action: 'stop', file: path.join(profileDir, `${name}.cpuprofile`) });
  }
}

/** Forks the built bench/bench-server.ts with plain node and waits until it listens. */
export async function startBenchChild(env: Record<string, string>, dbFile: string): Promise<BenchChild> {
  const child: ChildProcess = fork(await builtServerEntry(), [], {
    execArgv: serverExecArgv,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const ready = await new Promise<BenchReady>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code} before it was ready`)));
    child.on('message', (m: BenchReady | BenchReply) => {
      if ('type' in m) return resolve(m);
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    });
  });
  child.once('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`bench server exited (${code}) mid-command`));
    pending.clear();
  });

  return {
    appUrl: ready.appUrl,
    ceilingUrl: ready.ceilingUrl,
    pid: child.pid!,
    call: (cmd, args) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, cmd, args });
      }),
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
    },
  };
}
