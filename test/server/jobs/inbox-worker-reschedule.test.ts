import { afterEach, describe, expect, it } from 'vitest';
import { InboxRepository } from '../../../server/db/repositories/inbox-repository';
import { InboxWorker, type EventHandler } from '../../../server/jobs/inbox-worker';
import { Reschedule } from '../../../server/jobs/reschedule';
import { createLogger } from '../../../server/logger';
import { inboxEvent } from '../../support/inbox-factory';
import { createTestDb, testDialects, type TestDb } from '../../support/test-db';

describe.each(testDialects())('InboxWorker reschedule on %s', (dialect) => {
  let db: TestDb | undefined;
  let worker: InboxWorker | undefined;
  afterEach(async () => {
    await worker?.stop({ timeoutMs: 1_000 });
    worker = undefined;
    await db?.destroy();
  });

  it('Reschedule › handler asks to run later › waits without an attempt, checkpoints kept, then finishes', async () => {
    db = await createTestDb(dialect);
    const inbox = new InboxRepository(db);
    const clock = { now: Date.now() + 1_000 };
    let runs = 0;
    let stepRuns = 0;
    const handler: EventHandler = async (ctx) => {
      runs += 1;
      await ctx.checkpoint('before', async () => {
        stepRuns += 1;
        return 1;
      });
      if (clock.now < 10_000 + ctx.event.received_at) throw new Reschedule(ctx.event.received_at + 10_000, 'waiting for the window');
      return { summary: { runs } };
    };
    worker = new InboxWorker({ inbox, resolveHandler: () => handler, logger: createLogger('silent'), concurrency: 2, pollMs: 5, leaseMs: 60_000, now: () => clock.now });
    const first = await inbox.insert(inboxEvent({ orderingKey: 'contact-1' }));
    const second = await inbox.insert(inboxEvent({ orderingKey: 'contact-1' }));

    await worker.drain();
    const waiting = await inbox.get(first.id);
    expect(waiting).toMatchObject({ status: 'pending', attempts: 0, last_error: 'waiting for the window' });
    expect(waiting!.next_run_at).toBe(waiting!.received_at + 10_000);
    // The contact's next event stays behind the waiting one.
    expect(await inbox.get(second.id)).toMatchObject({ status: 'pending' });

    clock.now += 20_000;
    await worker.drain();
    expect(await inbox.get(first.id)).toMatchObject({ status: 'done', attempts: 0 });
    expect(await inbox.get(second.id)).toMatchObject({ status: 'done' });
    expect(stepRuns).toBe(2);
    expect(runs).toBe(3);
  });
});
