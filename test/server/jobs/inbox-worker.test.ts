import { afterEach, describe, expect, it } from 'vitest';
import { InboxRepository } from '../../../server/db/repositories/inbox-repository';
import { UpstreamError } from '../../../server/errors';
import { InboxWorker, type EventHandler, type InboxWorkerOptions } from '../../../server/jobs/inbox-worker';
import { createLogger } from '../../../server/logger';
import { createTestDb, testDialects, type TestDb } from '../../support/test-db';
import { inboxEvent } from '../../support/inbox-factory';

/** A promise with its resolve exposed, to hold a handler at a known point. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe.each(testDialects())('InboxWorker on %s', (dialect) => {
  let db: TestDb;
  let worker: InboxWorker | undefined;
  afterEach(async () => {
    await worker?.stop({ timeoutMs: 1_000 });
    worker = undefined;
    await db?.destroy();
  });

  async function setup(handler: EventHandler, options: Partial<InboxWorkerOptions> = {}) {
    db = await createTestDb(dialect);
    const inbox = new InboxRepository(db);
    const clock = { now: Date.now() + 1_000 };
    worker = new InboxWorker({
      inbox,
      resolveHandler: () => handler,
      logger: createLogger('silent'),
      concurrency: 3,
      pollMs: 5,
      leaseMs: 60_000,
      now: () => clock.now,
      ...options,
    });
    return { inbox, worker, clock };
  }

  it('worker › handler succeeds › done with contact and summary, payload parsed', async () => {
    const seen: unknown[] = [];
    const t = await setup(async (ctx) => {
      seen.push(ctx.payload);
      await ctx.setContactId('c_1');
      return { summary: { noteId: 'n_1' } };
    });
    const { id } = await t.inbox.insert(inboxEvent({ payload: { text: 'שלום עולם' } }));

    await t.worker.drain();

    const row = await t.inbox.get(id);
    expect(row).toMatchObject({ status: 'done', contact_id: 'c_1', attempts: 0, lease_owner: null });
    expect(JSON.parse(row!.result!)).toEqual({ noteId: 'n_1' });
    expect(seen).toEqual([{ text: 'שלום עולם' }]);
  });

  it('worker › handler answers ignored › ignored', async () => {
    const t = await setup(async () => ({ status: 'ignored', summary: { reason: 'rule off' } }));
    const { id } = await t.inbox.insert(inboxEvent());

    await t.worker.drain();

    expect((await t.inbox.get(id))?.status).toBe('ignored');
  });

  it('checkpoint › step done, later step fails › the retry returns the stored result without re-running', async () => {
    const runs = { contact: 0, note: 0 };
    let failNote = true;
    const results: unknown[] = [];
    const t = await setup(async (ctx) => {
      const contact = await ctx.checkpoint('contact', async () => {
        runs.contact++;
        return { id: 'c_1', created: true };
      });
      await ctx.checkpoint('note', async () => {
        runs.note++;
        if (failNote) throw new UpstreamError('ghl', 'transient', 'timeout');
        return 'n_1';
      });
      results.push(contact);
    });
    const { id } = await t.inbox.insert(inboxEvent());

    await t.worker.drain();
    failNote = false;
    t.clock.now += 60_000;
    await t.worker.drain();

    expect(runs).toEqual({ contact: 1, note: 2 });
    expect(results).toEqual([{ id: 'c_1', created: true }]);
    const row = await t.inbox.get(id);
    expect(row?.status).toBe('done');
    expect(JSON.parse(row!.checkpoints)).toEqual({ contact: { id: 'c_1', created: true }, note: 'n_1' });
  });

  it('checkpoint › quiet and deferrable steps › no write of their own, stored with the completion', async () => {
    const t = await setup(async (ctx) => {
      await ctx.checkpoint('resolve', async () => ({ contactId: 'c_1' }), { deferrable: () => true });
      await ctx.setContactId('c_1');
      await ctx.checkpoint('note:begun', async () => 1, { quiet: true });
      await ctx.checkpoint('note', async () => 'n_1', { deferrable: true });
    });
    const { id } = await t.inbox.insert(inboxEvent());
    const writes: string[][] = [];
    const save = t.inbox.saveCheckpoints.bind(t.inbox);
    t.inbox.saveCheckpoints = async (...args) => {
      writes.push(Object.keys(args[2]));
      return save(...args);
    };

    await t.worker.drain();

    // One write before the note (its begun marker must be stored before GHL is called), none after it.
    expect(writes).toEqual([['resolve', 'note:begun']]);
    const row = await t.inbox.get(id);
    expect(row).toMatchObject({ status: 'done', contact_id: 'c_1' });
    expect(JSON.parse(row!.checkpoints)).toEqual({ resolve: { contactId: 'c_1' }, 'note:begun': 1, note: 'n_1' });
  });

  it('checkpoint › deferred steps, then the handler fails › stored with the retry, the contact too', async () => {
    let fail = true;
    const runs: string[] = [];
    const t = await setup(async (ctx) => {
      await ctx.checkpoint('resolve', async () => void runs.push('resolve'), { quiet: true });
      await ctx.setContactId('c_9');
      if (fail) throw new UpstreamError('ghl', 'transient', 'timeout');
    });
    const { id } = await t.inbox.insert(inboxEvent());

    await t.worker.drain();
    const failed = await t.inbox.get(id);
    fail = false;
    t.clock.now += 60_000;
    await t.worker.drain();

    expect(failed).toMatchObject({ status: 'failed', contact_id: 'c_9' });
    expect(JSON.parse(failed!.checkpoints)).toEqual({ resolve: null });
    expect(runs).toEqual(['resolve']);
    expect((await t.inbox.get(id))?.status).toBe('done');
  });

  it('checkpoint › deferred result, then the completion fails › the retry stores it, the step is not run again', async () => {
    let notes = 0;
    const t = await setup(async (ctx) => {
      await ctx.checkpoint('note', async () => `n_${++notes}`, { deferrable: true });
    });
    const { id } = await t.inbox.insert(inboxEvent());
    const complete = t.inbox.complete.bind(t.inbox);
    let failures = 1;
    t.inbox.complete = async (...args) => {
      if (failures-- > 0) throw new Error('database is locked');
      return complete(...args);
    };

    await t.worker.drain();
    const failed = await t.inbox.get(id);
    t.clock.now += 60_000;
    await t.worker.drain();

    expect(failed?.status).toBe('failed');
    expect(JSON.parse(failed!.checkpoints)).toEqual({ note: 'n_1' });
    expect(notes).toBe(1);
    expect((await t.inbox.get(id))?.status).toBe('done');
  });

  /** 8 slots whose events wait at a gate each, `events` of other contacts queued, and the limit of every claim. */
  async function gatedWorker(events: number, options: Record<string, unknown>) {
    const gates: ReturnType<typeof gate>[] = [];
    const t = await setup(async () => {
      const g = gate();
      gates.push(g);
      await g.opened;
    }, { concurrency: 8, now: Date.now, ...options });
    for (let i = 0; i < events; i++) await t.inbox.insert(inboxEvent({ orderingKey: `contact-${i}` }));
    const limits: number[] = [];
    const claim = t.inbox.claimDue.bind(t.inbox);
    t.inbox.claimDue = async (...args) => {
      limits.push(args[1]);
      return claim(...args);
    };
    const until = async (check: () => boolean) => {
      while (!check()) await new Promise((resolve) => setTimeout(resolve, 1));
    };
    return { t, gates, limits, until };
  }

  it('claim › slots free one at a time under load › refilled a quarter of the slots at a time', async () => {
    let finished = 0;
    const { t, gates, limits, until } = await gatedWorker(16, { onOutcome: () => finished++, claimBatchWaitMs: 60_000 });

    t.worker.start();
    await until(() => gates.length === 8);
    gates[0]!.open();
    await until(() => finished === 1);
    // Give the loop its chance to claim for the single free slot (it must not).
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 1));
    gates[1]!.open();
    await until(() => gates.length === 10);
    for (const g of gates) g.open();
    await until(() => finished === 10);
    while (finished < 16) {
      for (const g of gates) g.open();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }

    expect(limits.slice(0, 2)).toEqual([8, 2]);
  });

  it('claim › one slot free past the batch wait › refilled alone', async () => {
    const { t, gates, limits, until } = await gatedWorker(10, { claimBatchWaitMs: 5 });

    t.worker.start();
    await until(() => gates.length === 8);
    gates[0]!.open();
    await until(() => gates.length === 9);
    while (gates.length < 10) {
      for (const g of gates) g.open();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    for (const g of gates) g.open();

    expect(limits.slice(0, 2)).toEqual([8, 1]);
  });

  it('checkpoint › dead event replayed › finished steps are not redone', async () => {
    const runs: string[] = [];
    let fail = true;
    const t = await setup(async (ctx) => {
      await ctx.checkpoint('tag', async () => void runs.push('tag'));
      await ctx.checkpoint('task', async () => {
        runs.push('task');
        if (fail) throw new UpstreamError('ghl', 'permanent', 'assignee unknown', { status: 422 });
      });
    });
    const { id } = await t.inbox.insert(inboxEvent({ locationId: 'loc_r' }));
    await t.worker.drain();
    fail = false;

    expect(await t.inbox.replay(id, 'loc_r', t.clock.now)).toBe(true);
    await t.worker.drain();

    expect(runs).toEqual(['tag', 'task', 'task']);
    expect((await t.inbox.get(id))?.status).toBe('done');
  });

  it('worker › many contacts, concurrency 3 › never more than 3 at once, each contact in order', async () => {
    let active = 0;
    let maxActive = 0;
    const order: Record<string, number[]> = {};
    const t = await setup(async (ctx) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, 2));
      const p = ctx.payload as { contact: string; n: number };
      (order[p.contact] ??= []).push(p.n);
      active--;
    });
    for (let n = 0; n < 5; n++) {
      for (const contact of ['a', 'b', 'c', 'd']) {
        await t.inbox.insert(inboxEvent({ orderingKey: contact, payload: { contact, n } }));
      }
    }

    await t.worker.drain();

    expect(maxActive).toBe(3);
    expect(order).toEqual({ a: [0, 1, 2, 3, 4], b: [0, 1, 2, 3, 4], c: [0, 1, 2, 3, 4], d: [0, 1, 2, 3, 4] });
  });

  it('start › events arrive while polling › all processed by the loop', async () => {
    const done: string[] = [];
    const all = gate();
    const t = await setup(async (ctx) => {
      done.push(ctx.event.id);
      if (done.length === 4) all.open();
    }, { now: Date.now });

    t.worker.start();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await t.inbox.insert(inboxEvent({ orderingKey: 'same' }))).id);
    await all.opened;
    await t.worker.stop();

    expect(done).toEqual(ids);
    expect((await t.inbox.countByStatus()).done).toBe(4);
  });

  it('stop › handler in flight › waits for it to finish and claims nothing new', async () => {
    const started = gate();
    const release = gate();
    let stopResolvedBeforeHandlerEnded: boolean | undefined;
    let stopResolved = false;
    const t = await setup(async () => {
      started.open();
      await release.opened;
      stopResolvedBeforeHandlerEnded = stopResolved;
    }, { concurrency: 1, now: Date.now });
    const { id } = await t.inbox.insert(inboxEvent());

    t.worker.start();
    await started.opened;
    const stopping = t.worker.stop().then(() => {
      stopResolved = true;
    });
    const later = await t.inbox.insert(inboxEvent());
    release.open();
    await stopping;

    expect(stopResolvedBeforeHandlerEnded).toBe(false);
    expect((await t.inbox.get(id))?.status).toBe('done');
    expect((await t.inbox.get(later.id))?.status).toBe('pending');
  });

  it('stop › handler outlives the timeout › signal aborted, event back in the queue without an attempt', async () => {
    const started = gate();
    let abortedWith: unknown;
    const t = await setup(async (ctx) => {
      started.open();
      await new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error));
      }).catch((err: unknown) => {
        abortedWith = err;
        throw err;
      });
    }, { now: Date.now });
    const { id } = await t.inbox.insert(inboxEvent());

    t.worker.start();
    await started.opened;
    await t.worker.stop({ timeoutMs: 20 });

    expect(abortedWith).toMatchObject({ name: 'WorkerStoppingError' });
    expect(await t.inbox.get(id)).toMatchObject({
      status: 'failed', attempts: 0, lease_owner: null, last_error: 'Interrupted by worker shutdown',
    });
  });

  it('lease › long handler › the lease is extended while it runs', async () => {
    let extended = false;
    const t = await setup(async (ctx) => {
      const first = ctx.event.lease_expires_at!;
      for (let i = 0; i < 500 && !extended; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        extended = ((await t.inbox.get(ctx.event.id))?.lease_expires_at ?? 0) > first;
      }
    }, { leaseMs: 60, now: Date.now });
    const { id } = await t.inbox.insert(inboxEvent());

    await t.worker.drain();

    expect(extended).toBe(true);
    expect((await t.inbox.get(id))?.status).toBe('done');
  });

  it('lease › taken over by another worker mid-event › the old worker writes nothing more', async () => {
    const t = await setup(async (ctx) => {
      await ctx.checkpoint('one', async () => 1);
      // Another worker took the expired lease over while this one was stalled.
      await db.kysely
        .updateTable('inbox_events')
        .set({ lease_owner: 'w-new' })
        .where('id', '=', ctx.event.id)
        .execute();
      await ctx.checkpoint('two', async () => 2);
    }, { onOutcome: () => outcomes++ });
    let outcomes = 0;
    const { id } = await t.inbox.insert(inboxEvent());

    await t.worker.drain();

    const row = await t.inbox.get(id);
    expect(row).toMatchObject({ status: 'processing', lease_owner: 'w-new', attempts: 0, last_error: null });
    expect(JSON.parse(row!.checkpoints)).toEqual({ one: 1 });
    expect(outcomes).toBe(0);
  });

  it('worker › event whose worker died maxAttempts times › dead instead of a crash loop', async () => {
    let calls = 0;
    const t = await setup(async () => {
      calls++;
    }, { maxAttempts: 2 });
    const { id } = await t.inbox.insert(inboxEvent());
    for (let i = 0; i < 2; i++) {
      await t.inbox.claimDue(`crashed-${i}`, 1, 1_000, t.clock.now);
      t.clock.now += 1_000;
    }

    await t.worker.drain();

    expect(calls).toBe(0);
    expect(await t.inbox.get(id)).toMatchObject({ status: 'dead', attempts: 2 });
  });
});
