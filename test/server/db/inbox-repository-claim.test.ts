import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../server/db/database';
import { InboxRepository } from '../../../server/db/repositories/inbox-repository';
import { createTestDb, testDialects, type TestDb } from '../../support/test-db';
import { inboxEvent } from '../../support/inbox-factory';

describe.each(testDialects())('InboxRepository.claimDue on %s', (dialect) => {
  let db: TestDb;
  const extra: Db[] = [];
  afterEach(async () => {
    for (const d of extra.splice(0)) await d.close();
    await db?.destroy();
  });

  async function setup() {
    db = await createTestDb(dialect);
    return new InboxRepository(db);
  }

  /** PostgreSQL: a second pool, as another process would have. SQLite (in memory): the one database there is. */
  function secondConnection(): Db {
    if (dialect === 'sqlite') return db;
    const other = openDatabase(db.url);
    extra.push(other);
    return other;
  }

  it('claimDue › due, future and finished rows › only due rows, oldest first, leased to the worker', async () => {
    const inbox = await setup();
    const a = (await inbox.insert(inboxEvent())).id;
    const b = (await inbox.insert(inboxEvent())).id;
    await inbox.insert(inboxEvent({ nextRunAt: Date.now() + 60_000 }));
    await inbox.insert(inboxEvent({ status: 'ignored' }));
    const now = Date.now();

    const rows = await inbox.claimDue('w1', 10, 30_000, now + 1);

    expect(rows.map((r) => r.id)).toEqual([a, b]);
    expect(rows[0]).toMatchObject({ status: 'processing', lease_owner: 'w1', lease_expires_at: now + 30_001 });
    expect(await inbox.claimDue('w2', 10, 30_000, now + 1)).toEqual([]);
  });

  it('claimDue › limit 2 of 5 › claims 2, the next call the next 2', async () => {
    const inbox = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await inbox.insert(inboxEvent())).id);
    const now = Date.now();

    const first = await inbox.claimDue('w1', 2, 30_000, now);
    const second = await inbox.claimDue('w1', 2, 30_000, now);

    expect(first.map((r) => r.id)).toEqual(ids.slice(0, 2));
    expect(second.map((r) => r.id)).toEqual(ids.slice(2, 4));
  });

  it('claimDue › three events of one contact › one at a time, in arrival order', async () => {
    const inbox = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await inbox.insert(inboxEvent({ orderingKey: 'loc_1:sub_9' }))).id);
    const other = (await inbox.insert(inboxEvent({ orderingKey: 'loc_1:sub_10' }))).id;
    const now = Date.now();

    const order: string[][] = [];
    for (let round = 0; round < 4; round++) {
      const rows = await inbox.claimDue('w1', 10, 30_000, now);
      order.push(rows.map((r) => r.id));
      for (const r of rows) await inbox.complete(r.id, 'w1', { status: 'done' });
    }

    expect(order).toEqual([[ids[0], other], [ids[1]], [ids[2]], []]);
  });

  it('claimDue › earlier event of the key failed and waits › later events of that key wait too', async () => {
    const inbox = await setup();
    const first = (await inbox.insert(inboxEvent({ orderingKey: 'k' }))).id;
    const second = (await inbox.insert(inboxEvent({ orderingKey: 'k' }))).id;
    const now = Date.now();
    await inbox.claimDue('w1', 1, 30_000, now);
    await inbox.retry(first, 'w1', { error: 'x', nextRunAt: now + 10_000, countAttempt: true });

    const whileWaiting = await inbox.claimDue('w1', 10, 30_000, now + 1);
    const atRetryTime = await inbox.claimDue('w1', 10, 30_000, now + 10_000);

    expect(whileWaiting).toEqual([]);
    expect(atRetryTime.map((r) => r.id)).toEqual([first]);
    await inbox.markDead(first, 'w1', 'gave up');
    expect((await inbox.claimDue('w1', 10, 30_000, now + 10_000)).map((r) => r.id)).toEqual([second]);
  });

  it('claimDue › a later event of the key is processing › an earlier-stamped arrival waits for it', async () => {
    const inbox = await setup();
    const late = (await inbox.insert(inboxEvent({ orderingKey: 'k' }))).id;
    await inbox.claimDue('w1', 1, 30_000, Date.now());
    // Another web process with a slower clock stored an event stamped before the one already running.
    const early = (await inbox.insert(inboxEvent({ orderingKey: 'k' }))).id;
    const now = Date.now();
    await db.kysely
      .updateTable('inbox_events')
      .set({ received_at: now - 5_000, next_run_at: now - 5_000 })
      .where('id', '=', early)
      .execute();

    const whileRunning = await inbox.claimDue('w2', 10, 30_000, now);
    await inbox.complete(late, 'w1', { status: 'done' });
    const after = await inbox.claimDue('w2', 10, 30_000, now);

    expect(whileRunning).toEqual([]);
    expect(after.map((r) => r.id)).toEqual([early]);
  });

  it('claimDue › lease expired (crashed worker) › another worker takes over, counting an attempt', async () => {
    const inbox = await setup();
    const { id } = await inbox.insert(inboxEvent({ orderingKey: 'k' }));
    await inbox.insert(inboxEvent({ orderingKey: 'k' }));
    const now = Date.now();
    await inbox.claimDue('w1', 10, 1_000, now);

    const beforeExpiry = await inbox.claimDue('w2', 10, 1_000, now + 999);
    const afterExpiry = await inbox.claimDue('w2', 10, 1_000, now + 1_000);

    expect(beforeExpiry).toEqual([]);
    expect(afterExpiry.map((r) => r.id)).toEqual([id]);
    expect(afterExpiry[0]).toMatchObject({ lease_owner: 'w2', attempts: 1 });
    expect(await inbox.complete(id, 'w1', { status: 'done' })).toBe(false);
    expect(await inbox.complete(id, 'w2', { status: 'done' })).toBe(true);
  });

  it('claimDue › two claimers on separate connections at once › no event claimed twice, none lost', async () => {
    const inbox = await setup();
    const inbox2 = new InboxRepository(secondConnection());
    const total = 120;
    for (let i = 0; i < total; i++) await inbox.insert(inboxEvent({ orderingKey: i % 3 === 0 ? `k${i % 9}` : null }));
    const now = Date.now();

    const run = async (repo: InboxRepository, worker: string) => {
      const got: string[] = [];
      for (let idle = 0; idle < 3; ) {
        const rows = await repo.claimDue(worker, 7, 30_000, now);
        if (rows.length === 0) idle++;
        for (const r of rows) {
          got.push(r.id);
          expect(await repo.complete(r.id, worker, { status: 'done' })).toBe(true);
        }
      }
      return got;
    };
    const claims = (await Promise.all([run(inbox, 'wa'), run(inbox2, 'wb'), run(inbox2, 'wc')])).flat();

    expect(claims).toHaveLength(total);
    expect(new Set(claims).size).toBe(total);
    expect((await inbox.countByStatus()).done).toBe(total);
  });

  it('claimDue › concurrent claimers › never two events of one ordering key in flight', async () => {
    const inbox = await setup();
    const repos = [inbox, new InboxRepository(secondConnection())];
    for (let i = 0; i < 40; i++) await inbox.insert(inboxEvent({ orderingKey: `k${i % 4}` }));
    const now = Date.now();
    const inFlight = new Set<string>();
    const overlaps: string[] = [];
    const finished: string[] = [];

    await Promise.all(
      repos.map(async (repo, n) => {
        for (let idle = 0; idle < 5; ) {
          const rows = await repo.claimDue(`w${n}`, 3, 30_000, now);
          if (rows.length === 0) idle++;
          for (const r of rows) {
            if (inFlight.has(r.ordering_key!)) overlaps.push(r.ordering_key!);
            inFlight.add(r.ordering_key!);
          }
          await new Promise((resolve) => setImmediate(resolve));
          for (const r of rows) {
            inFlight.delete(r.ordering_key!);
            finished.push(r.id);
            await repo.complete(r.id, `w${n}`, { status: 'done' });
          }
        }
      }),
    );

    expect(overlaps).toEqual([]);
    expect(finished).toHaveLength(40);
  });
});
