import { afterEach, describe, expect, it } from 'vitest';
import { shortError } from '../../../server/db/repositories/inbox-codec';
import { InboxRepository } from '../../../server/db/repositories/inbox-repository';
import { AppError } from '../../../server/errors';
import { createTestDb, testDialects, type TestDb } from '../../support/test-db';
import { inboxEvent } from '../../support/inbox-factory';

describe.each(testDialects())('InboxRepository on %s', (dialect) => {
  let db: TestDb;
  afterEach(async () => db?.destroy());

  async function setup() {
    db = await createTestDb(dialect);
    return new InboxRepository(db);
  }

  /** Inserts and claims one event for `worker`, returning its id. */
  async function claimed(inbox: InboxRepository, worker = 'w1', overrides = {}) {
    const { id } = await inbox.insert(inboxEvent(overrides));
    const rows = await inbox.claimDue(worker, 1, 60_000, Date.now());
    expect(rows.map((r) => r.id)).toEqual([id]);
    return id;
  }

  it('insert › same dedupe key 10 times concurrently › one row, nine duplicates, one id', async () => {
    const inbox = await setup();
    const e = inboxEvent({ dedupeKey: 'responder:evt-42' });

    const results = await Promise.all(Array.from({ length: 10 }, () => inbox.insert(e)));

    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(results.filter((r) => r.duplicate)).toHaveLength(9);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const counts = await inbox.countByStatus();
    expect(counts.pending).toBe(1);
  });

  it('insert › one concurrent batch of new, repeated and already stored keys, and a second process racing › each told apart', async () => {
    const inbox = await setup();
    const stored = await inbox.insert(inboxEvent({ dedupeKey: 'k-stored' }));
    const otherProcess = new InboxRepository(db);

    const [a, b, aAgain, old, c, racedHere, racedThere] = await Promise.all([
      inbox.insert(inboxEvent({ dedupeKey: 'k-a' })),
      inbox.insert(inboxEvent({ dedupeKey: 'k-b' })),
      inbox.insert(inboxEvent({ dedupeKey: 'k-a' })),
      inbox.insert(inboxEvent({ dedupeKey: 'k-stored' })),
      inbox.insert(inboxEvent({ dedupeKey: 'k-c' })),
      inbox.insert(inboxEvent({ dedupeKey: 'k-raced' })),
      otherProcess.insert(inboxEvent({ dedupeKey: 'k-raced' })),
    ]);

    expect([a, b, c].map((r) => r!.duplicate)).toEqual([false, false, false]);
    expect(new Set([a, b, c, stored].map((r) => r!.id)).size).toBe(4);
    expect(aAgain).toEqual({ id: a!.id, duplicate: true });
    expect(old).toEqual({ id: stored.id, duplicate: true });
    expect(racedHere!.id).toBe(racedThere!.id);
    expect([racedHere!.duplicate, racedThere!.duplicate].sort()).toEqual([false, true]);
    expect((await inbox.countByStatus()).pending).toBe(5);
  });

  it('insert › one entry of a concurrent batch cannot be stored › only that caller fails, the others are stored', async () => {
    const inbox = await setup();
    const results = await Promise.allSettled([
      inbox.insert(inboxEvent({ dedupeKey: 'k-1' })),
      inbox.insert(inboxEvent({ dedupeKey: 'k-bad', payload: { amount: 10n } })),
      inbox.insert(inboxEvent({ dedupeKey: 'k-2' })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await inbox.countByStatus()).pending).toBe(2);
    expect((await inbox.insert(inboxEvent({ dedupeKey: 'k-bad' }))).duplicate).toBe(false);
  });

  it('insert › 70 at once with one the database refuses in the second statement › the batch is taken back, then each stored alone', async () => {
    const inbox = await setup();
    const entries = Array.from({ length: 70 }, (_, i) =>
      inboxEvent({ dedupeKey: `k-${i}`, ...(i === 66 ? { nextRunAt: {} as unknown as number } : {}) }),
    );
    const results = await Promise.allSettled(entries.map((e) => inbox.insert(e)));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(results[66]!.status).toBe('rejected');
    // Nothing of the failed batch stayed behind: every other caller stored its own row.
    const stored = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(stored.every((r) => !r.duplicate)).toBe(true);
    expect(new Set(stored.map((r) => r.id)).size).toBe(69);
    expect((await inbox.countByStatus()).pending).toBe(69);
  });

  it('insert › a key holding a lone UTF-16 surrogate, twice › stored once, the second a duplicate', async () => {
    const inbox = await setup();
    const e = inboxEvent({ dedupeKey: 'responder:loc:event:\ud800', orderingKey: 'responder:loc:\udc00x' });
    const first = await inbox.insert(e);
    expect(await inbox.insert(e)).toEqual({ id: first.id, duplicate: true });
  });

  it('insert › NUL characters in the event type, keys and payload › stored without them on every dialect', async () => {
    const inbox = await setup();
    const { id, duplicate } = await inbox.insert(
      inboxEvent({ eventType: 'invalid:\u0000x', dedupeKey: 'k\u0000nul', orderingKey: 'o\u0000', payload: { text: 'a\u0000b' } }),
    );

    const row = await inbox.get(id);
    expect(duplicate).toBe(false);
    expect(row).toMatchObject({ event_type: 'invalid:x', dedupe_key: 'knul', ordering_key: 'o' });
    expect(JSON.parse(row!.payload!)).toEqual({ text: 'a\u0000b' });
  });

  it('insert › a 100 kB ordering key and dedupe key › stored (hashed to fit the index), duplicates still recognised', async () => {
    const inbox = await setup();
    const huge = `responder:L1:${'x'.repeat(100_000)}@example.com`;
    const first = await inbox.insert(inboxEvent({ dedupeKey: huge, orderingKey: huge }));
    const again = await inbox.insert(inboxEvent({ dedupeKey: huge, orderingKey: huge }));

    const row = await inbox.get(first.id);
    expect(again).toEqual({ id: first.id, duplicate: true });
    expect(row!.dedupe_key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(row!.ordering_key).toBe(row!.dedupe_key);
  });

  it('insert › hebrew payload and raw string body › stored as JSON text byte for byte', async () => {
    const inbox = await setup();
    const raw = 'שם=דנה&טלפון=050-1234567';

    const { id } = await inbox.insert(inboxEvent({ payload: { text: 'הודעה חדשה 👋' }, rawPayload: raw }));

    const row = await inbox.get(id);
    expect(id).toMatch(/^evt_[0-9a-z]{22}$/);
    expect(JSON.parse(row!.payload!)).toEqual({ text: 'הודעה חדשה 👋' });
    expect(JSON.parse(row!.raw_payload!)).toBe(raw);
    expect(row).toMatchObject({ status: 'pending', attempts: 0, rate_limit_waits: 0, checkpoints: '{}' });
  });

  it('insert › ignored and invalid rows › finished at once and never claimed', async () => {
    const inbox = await setup();
    const ignored = await inbox.insert(inboxEvent({ status: 'ignored' }));
    const invalid = await inbox.insert(inboxEvent({ status: 'invalid' }));

    const rows = await inbox.claimDue('w1', 10, 60_000, Date.now() + 1000);

    expect(rows).toEqual([]);
    expect((await inbox.get(ignored.id))?.processed_at).toEqual(expect.any(Number));
    expect((await inbox.get(invalid.id))?.status).toBe('invalid');
  });

  it('insert › ids › sort in arrival order', async () => {
    const inbox = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await inbox.insert(inboxEvent())).id);

    expect([...ids].sort()).toEqual(ids);
  });

  it('state changes › by a worker that does not hold the lease › are refused and change nothing', async () => {
    const inbox = await setup();
    const id = await claimed(inbox, 'w1');

    const results = [
      await inbox.saveCheckpoint(id, 'w2', 'note', { noteId: 'n1' }),
      await inbox.complete(id, 'w2', { status: 'done' }),
      await inbox.retry(id, 'w2', { error: 'x', nextRunAt: 0, countAttempt: true }),
      await inbox.markDead(id, 'w2', 'x'),
      await inbox.extendLease(id, 'w2', 1000),
    ];

    expect(results).toEqual([false, false, false, false, false]);
    expect(await inbox.get(id)).toMatchObject({ status: 'processing', lease_owner: 'w1', checkpoints: '{}' });
  });

  it('saveCheckpoint › owner saves two steps, also concurrently › both kept', async () => {
    const inbox = await setup();
    const id = await claimed(inbox);

    const saved = await Promise.all([
      inbox.saveCheckpoint(id, 'w1', 'contact', { contactId: 'c1' }),
      inbox.saveCheckpoint(id, 'w1', 'note', 'n1'),
    ]);

    expect(saved).toEqual([true, true]);
    expect(JSON.parse((await inbox.get(id))!.checkpoints)).toEqual({ contact: { contactId: 'c1' }, note: 'n1' });
  });

  it('complete › owner finishes › done with contact, summary, lease released', async () => {
    const inbox = await setup();
    const id = await claimed(inbox);

    const ok = await inbox.complete(id, 'w1', { status: 'done', contactId: 'c9', result: { note: 'n1' } }, 5000);

    expect(ok).toBe(true);
    const row = await inbox.get(id);
    expect(row).toMatchObject({ status: 'done', contact_id: 'c9', lease_owner: null, processed_at: 5000 });
    expect(JSON.parse(row!.result!)).toEqual({ note: 'n1' });
    expect(await inbox.complete(id, 'w1', { status: 'ignored' })).toBe(false);
  });

  it('retry › counted and uncounted › attempts and rate-limit waits move as asked, error kept short', async () => {
    const inbox = await setup();
    const id = await claimed(inbox);
    const longError = `Bearer abc.def-123 ${'x'.repeat(2000)}`;

    await inbox.retry(id, 'w1', { error: longError, nextRunAt: 1, countAttempt: true });
    await inbox.claimDue('w1', 1, 60_000, Date.now());
    await inbox.retry(id, 'w1', { error: 'rate limited', nextRunAt: 2, countAttempt: false, rateLimited: true });

    const row = await inbox.get(id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1, rate_limit_waits: 1, next_run_at: 2, lease_owner: null });
    expect(shortError(longError)).toHaveLength(500);
    expect(shortError(longError)).not.toContain('abc.def');
  });

  it('markDead › owner gives up › dead with the reason', async () => {
    const inbox = await setup();
    const id = await claimed(inbox);

    expect(await inbox.markDead(id, 'w1', 'GHL 422: invalid email')).toBe(true);

    expect(await inbox.get(id)).toMatchObject({ status: 'dead', last_error: 'GHL 422: invalid email', attempts: 1 });
  });

  it('extendLease › owner extends › lease moves forward', async () => {
    const inbox = await setup();
    const id = await claimed(inbox);

    expect(await inbox.extendLease(id, 'w1', 90_000, 1_000)).toBe(true);

    expect((await inbox.get(id))?.lease_expires_at).toBe(91_000);
  });

  it('replay › dead and failed events › pending again, checkpoints kept, only in their own location', async () => {
    const inbox = await setup();
    const dead = await claimed(inbox, 'w1', { locationId: 'loc_a' });
    await inbox.saveCheckpoint(dead, 'w1', 'note', 'n1');
    await inbox.markDead(dead, 'w1', 'boom');
    const failed = await claimed(inbox, 'w1', { locationId: 'loc_a' });
    await inbox.retry(failed, 'w1', { error: 'x', nextRunAt: Date.now() + 3_600_000, countAttempt: true });
    const done = await claimed(inbox, 'w1', { locationId: 'loc_a' });
    await inbox.complete(done, 'w1', { status: 'done' });

    const results = {
      otherLocation: await inbox.replay(dead, 'loc_b'),
      dead: await inbox.replay(dead, 'loc_a', 7_000),
      failed: await inbox.replay(failed, 'loc_a'),
      done: await inbox.replay(done, 'loc_a'),
    };

    expect(results).toEqual({ otherLocation: false, dead: true, failed: true, done: false });
    const row = await inbox.get(dead);
    expect(row).toMatchObject({ status: 'pending', attempts: 0, next_run_at: 7_000, processed_at: null });
    expect(JSON.parse(row!.checkpoints)).toEqual({ note: 'n1' });
    expect((await inbox.get(done))?.status).toBe('done');
  });

  it('cancelPendingForLocation › uninstall › waiting work cancelled, other rows and locations untouched', async () => {
    const inbox = await setup();
    const inFlight = await claimed(inbox, 'w1', { locationId: 'loc_a' });
    const pending = (await inbox.insert(inboxEvent({ locationId: 'loc_a' }))).id;
    const other = (await inbox.insert(inboxEvent({ locationId: 'loc_b' }))).id;

    const n = await inbox.cancelPendingForLocation('loc_a');

    expect(n).toBe(1);
    expect((await inbox.get(pending))?.status).toBe('cancelled');
    expect((await inbox.get(inFlight))?.status).toBe('processing');
    expect((await inbox.get(other))?.status).toBe('pending');
  });

  it('setContactId › known contact › stored for the activity filter', async () => {
    const inbox = await setup();
    const { id } = await inbox.insert(inboxEvent());

    await inbox.setContactId(id, 'contact_7');

    expect((await inbox.get(id))?.contact_id).toBe('contact_7');
    expect(await inbox.get('evt_missing')).toBeUndefined();
  });

  it('listForActivity › 7 events paged by 3 › newest first, no gaps or repeats, filters applied', async () => {
    const inbox = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await inbox.insert(inboxEvent({ locationId: 'loc_a' }))).id);
    await inbox.insert(inboxEvent({ locationId: 'loc_b' }));
    await inbox.setContactId(ids[1]!, 'c1');
    await inbox.setContactId(ids[4]!, 'c1');
    await inbox.insert(inboxEvent({ locationId: 'loc_a', status: 'invalid' }));

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await inbox.listForActivity({ locationId: 'loc_a', status: 'pending', limit: 3, before: cursor });
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    const byContact = await inbox.listForActivity({ locationId: 'loc_a', contactId: 'c1', limit: 10 });
    const all = await inbox.listForActivity({ locationId: 'loc_a', limit: 50 });

    expect(seen).toEqual([...ids].reverse());
    expect(pages).toBe(3);
    expect(byContact.events.map((e) => e.id)).toEqual([ids[4], ids[1]]);
    expect(byContact.nextCursor).toBeNull();
    expect(all.events).toHaveLength(8);
  });

  it('listForActivity › malformed cursor › a 400 client error', async () => {
    const inbox = await setup();

    const attempt = inbox.listForActivity({ locationId: 'loc_a', before: 'not-a-cursor', limit: 5 });

    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ status: 400 });
  });

  it('countByStatus › mixed rows › every status listed, per location or overall', async () => {
    const inbox = await setup();
    await inbox.insert(inboxEvent({ locationId: 'loc_a' }));
    await inbox.insert(inboxEvent({ locationId: 'loc_a', status: 'invalid' }));
    await inbox.insert(inboxEvent({ locationId: 'loc_b' }));

    const forA = await inbox.countByStatus('loc_a');
    const overall = await inbox.countByStatus();

    expect(forA).toEqual({
      pending: 1, processing: 0, done: 0, failed: 0, dead: 0, ignored: 0, invalid: 1, cancelled: 0,
    });
    expect(overall.pending).toBe(2);
  });

  it('oldestPendingAgeMs › due and future events › age of the longest-waiting due one', async () => {
    const inbox = await setup();
    const now = Date.now();
    await inbox.insert(inboxEvent({ nextRunAt: now - 5_000 }));
    await inbox.insert(inboxEvent({ nextRunAt: now + 60_000 }));

    expect(await inbox.oldestPendingAgeMs(now)).toBe(5_000);
    expect(await inbox.oldestPendingAgeMs(now - 10_000)).toBe(0);
  });

  it('purgeRawPayloads › old done, recent done and dead rows › only the old finished row loses its payloads', async () => {
    const inbox = await setup();
    const old = await claimed(inbox);
    await inbox.complete(old, 'w1', { status: 'done' }, 1_000);
    const recent = await claimed(inbox);
    await inbox.complete(recent, 'w1', { status: 'done' }, 100_000);
    const dead = await claimed(inbox);
    await inbox.markDead(dead, 'w1', 'x', { now: 1_000 });

    const n = await inbox.purgeRawPayloads(50_000, 110_000);

    expect(n).toBe(1);
    expect(await inbox.get(old)).toMatchObject({ status: 'done', payload: null, raw_payload: null });
    expect((await inbox.get(recent))?.payload).not.toBeNull();
    expect((await inbox.get(dead))?.raw_payload).not.toBeNull();
  });
});
