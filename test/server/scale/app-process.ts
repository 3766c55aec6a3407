import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const ENTRY = path.resolve('server/index.ts');

/** One `node --import tsx server/index.ts` process of the app, as a deployment runs it. */
export interface AppProcess {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once a stdout line contains `text`; rejects if the process exits first. */
  waitForOutput(text: string): Promise<void>;
  /** The last lines it wrote (stdout and stderr), for failure messages. */
  tail(lines?: number): string;
}

/**
 * Starts the app with exactly `env` (plus PATH and the temp dir): nothing of the test runner's environment
 * leaks in, so the process sees only what a deployment would give it.
 */
export function startAppProcess(name: string, env: Record<string, string>): AppProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    env: {
      PATH: process.env.PATH ?? '',
      ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`${name} did not start`);
  const output: string[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output.push(text);
    if (output.length > 2_000) output.splice(0, output.length - 1_000);
    for (const w of [...waiters]) {
      if (output.join('').includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const tail = (lines = 20) => output.join('').split('\n').slice(-lines).join('\n');
  return {
    name,
    proc,
    pid: proc.pid,
    exited,
    tail,
    waitForOutput: (text) =>
      new Promise<void>((resolve, reject) => {
        if (output.join('').includes(text)) return resolve();
        waiters.push({ text, resolve });
        void exited.then(({ code, signal }) =>
          reject(new Error(`${name} exited (${code ?? signal}) before writing ${text}:\n${tail()}`)),
        );
      }),
  };
}

/** A port free right now on 127.0.0.1 (the app takes PORT from its environment, so it cannot ask for 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Polls `check` until it holds; `describe` says what was awaited and what was seen when it never did. */
export async function waitUntil(
  check: () => Promise<boolean>,
  describe: () => Promise<string> | string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${await describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
