import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { InboxRepository } from '../../../server/db/repositories/inbox-repository';
import { createTestDb, testDialects, type TestDb } from '../../support/test-db';
import { inboxEvent } from '../../support/inbox-factory';

const CHILD = fileURLToPath(new URL('../../support/worker-child.ts', import.meta.url));

interface Child {
  proc: ChildProcess;
  exited: Promise<number | null>;
  waitFor(line: string): Promise<void>;
  stderr(): string;
}

/** Starts test/support/worker-child.ts as a real process on the test database. */
function startChild(url: string, env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, CHILD_DATABASE_URL: url, LEASE_MS: '1000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { line: string; resolve: () => void }[] = [];
  proc.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of [...waiters]) if (out.split('\n').includes(w.line)) w.resolve();
  });
  proc.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    exited,
    stderr: () => err,
    waitFor: (line) =>
      new Promise<void>((resolve, reject) => {
        if (out.split('\n').includes(line)) return resolve();
        waiters.push({ line, resolve });
        void exited.then((code) => reject(new Error(`worker child exited (${code}) before ${line}: ${err}`)));
      }),
  };
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.each(testDialects())('InboxWorker crash safety on %s', (dialect) => {
  let db: TestDb;
  const children: Child[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    await db?.destroy();
  });

  it('worker process › SIGKILLed mid-batch, then a second one › every event done once, no step run twice', async () => {
    db = await createTestDb(dialect, { file: true });
    const seq = dialect === 'postgres' ? 'bigserial primary key' : 'integer primary key autoincrement';
    await sql
      .raw(`create table test_effects (seq ${seq}, event_id text not null, step text not null, pid integer not null)`)
      .execute(db.kysely);
    const inbox = new InboxRepository(db);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await inbox.insert(inboxEvent({ orderingKey: `contact-${i % 4}` }))).id);

    const first = startChild(db.url, { BLOCK_AFTER: '10' });
    children.push(first);
    await first.waitFor('QUIESCENT');
    first.proc.kill('SIGKILL');
    await first.exited;
    const atCrash = await inbox.countByStatus();

    const second = startChild(db.url);
    children.push(second);
    await waitUntil(async () => (await inbox.countByStatus()).done === 12, 'all events done', 45_000);
    second.proc.kill('SIGTERM');
    const secondExit = await second.exited;

    const { rows: effects } = await sql<{ seq: number; event_id: string; step: string; pid: number }>`
      select seq, event_id, step, pid from test_effects order by seq`.execute(db.kysely);
    const runsPerStep = new Map<string, number>();
    for (const e of effects) {
      const key = `${e.event_id}/${e.step}`;
      runsPerStep.set(key, (runsPerStep.get(key) ?? 0) + 1);
    }
    const rows = await Promise.all(ids.map((id) => inbox.get(id)));

    expect(atCrash.processing).toBeGreaterThan(0);
    expect(atCrash.done + atCrash.processing).toBeLessThan(12);
    expect(secondExit).toBe(0);
    expect(effects).toHaveLength(36);
    expect([...runsPerStep.values()].every((n) => n === 1)).toBe(true);
    expect(runsPerStep.size).toBe(36);
    expect(new Set(effects.map((e) => e.pid)).size).toBe(2);
    expect(rows.map((r) => r?.status)).toEqual(Array(12).fill('done'));
    expect(rows.filter((r) => r!.attempts === 1)).toHaveLength(atCrash.processing);
    // One contact's events ran in arrival order: all of event n's steps before any of event n+1's.
    for (let contact = 0; contact < 4; contact++) {
      const own = ids.filter((_id, i) => i % 4 === contact);
      const sequence = effects.filter((e) => own.includes(e.event_id)).map((e) => own.indexOf(e.event_id));
      expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
    }
  }, 90_000);
});
