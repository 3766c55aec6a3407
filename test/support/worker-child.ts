/**
 * A worker process for the crash-safety test (run with `node --import tsx`). It opens CHILD_DATABASE_URL and
 * runs an InboxWorker whose handler does three checkpointed steps per event, each recording an effect row in
 * `test_effects` (a table the test creates).
 *
 * With BLOCK_AFTER=n, once n effects are recorded every step that starts afterwards hangs *before* its effect;
 * when every step in progress hangs like that, it prints QUIESCENT. The test SIGKILLs it then, so the kill
 * lands mid-batch, with events half done, yet never between an effect and its checkpoint (that window cannot
 * be closed for a write outside the database, and is not what the test is about).
 */
import { sql } from 'kysely';
import { openDatabase } from '../../server/db/database';
import { InboxRepository } from '../../server/db/repositories/inbox-repository';
import { InboxWorker } from '../../server/jobs/inbox-worker';
import { createLogger } from '../../server/logger';

const url = process.env.CHILD_DATABASE_URL;
if (!url) throw new Error('CHILD_DATABASE_URL is not set');
const blockAfter = Number(process.env.BLOCK_AFTER ?? Number.POSITIVE_INFINITY);
const stepDelayMs = Number(process.env.STEP_DELAY_MS ?? 5);

const db = openDatabase(url);
const inbox = new InboxRepository(db);
const say = (line: string) => process.stdout.write(`${line}\n`);

let effects = 0;
let inStep = 0;
let blocked = 0;
let gateClosed = false;
const checkQuiescent = () => {
  if (gateClosed && blocked > 0 && blocked === inStep) say('QUIESCENT');
};

const worker = new InboxWorker({
  inbox,
  logger: createLogger('warn', process.stderr),
  workerId: `child-${process.pid}`,
  concurrency: Number(process.env.CONCURRENCY ?? 3),
  pollMs: 20,
  leaseMs: Number(process.env.LEASE_MS ?? 1_000),
  resolveHandler: () => async (ctx) => {
    for (const step of ['a', 'b', 'c']) {
      inStep++;
      try {
        await ctx.checkpoint(step, async () => {
          if (gateClosed) {
            blocked++;
            checkQuiescent();
            await new Promise(() => {});
          }
          await new Promise((resolve) => setTimeout(resolve, stepDelayMs));
          await sql`insert into test_effects (event_id, step, pid)
            values (${ctx.event.id}, ${step}, ${process.pid})`.execute(db.kysely);
          effects++;
          if (effects >= blockAfter) gateClosed = true;
          return `${step}-done`;
        });
      } finally {
        inStep--;
      }
      checkQuiescent();
    }
    return { summary: { pid: process.pid } };
  },
});

process.on('SIGTERM', () => {
  void worker
    .stop({ timeoutMs: 5_000 })
    .then(() => db.close())
    .then(() => process.exit(0));
});
worker.start();
say('STARTED');
