import { afterEach, describe, expect, it } from 'vitest';
import type { InboxEventRow } from '../../../server/db/schema';
import { InboxRepository } from '../../../server/db/repositories/inbox-repository';
import { UpstreamError, notFound } from '../../../server/errors';
import { InboxWorker, type EventHandler, type WorkerOutcome } from '../../../server/jobs/inbox-worker';
import { PARK_MS } from '../../../server/jobs/retry-policy';
import { createLogger } from '../../../server/logger';
import { createTestDb, testDialects, type TestDb } from '../../support/test-db';
import { inboxEvent } from '../../support/inbox-factory';

describe.each(testDialects())('InboxWorker retry policy on %s', (dialect) => {
  let db: TestDb;
  afterEach(async () => db?.destroy());

  /** A worker on a hand-moved clock with one handler for every event; outcomes are recorded in order. */
  async function setup(
    handler: EventHandler | undefined,
    extra: { isLocationParked?: (locationId: string) => Promise<boolean> } = {},
  ) {
    db = await createTestDb(dialect);
    const inbox = new InboxRepository(db);
    const clock = { now: Date.now() + 1_000 };
    const outcomes: WorkerOutcome[] = [];
    const worker = new InboxWorker({
      inbox,
      resolveHandler: () => handler,
      logger: createLogger('silent'),
      workerId: 'w-test',
      concurrency: 2,
      pollMs: 10,
      leaseMs: 60_000,
      now: () => clock.now,
      onOutcome: (o) => outcomes.push(o.outcome),
      ...extra,
    });
    const { id } = await inbox.insert(inboxEvent());
    const row = async (): Promise<InboxEventRow> => (await inbox.get(id))!;
    return { inbox, worker, clock, outcomes, id, row };
  }

  it('worker › handler rate limited with Retry-After › retried at that time without using an attempt', async () => {
    let calls = 0;
    const t = await setup(async () => {
      calls++;
      if (calls === 1) {
        throw new UpstreamError('ghl', 'rate_limited', 'Too many requests', { status: 429, retryAfterMs: 9_000 });
      }
    });

    await t.worker.drain();
    const waiting = await t.row();
    t.clock.now += 9_000;
    await t.worker.drain();

    expect(waiting).toMatchObject({ status: 'failed', attempts: 0, rate_limit_waits: 1, next_run_at: t.clock.now });
    expect(waiting.last_error).toBe('GHL 429: Too many requests');
    expect(t.outcomes).toEqual(['retry', 'done']);
    expect((await t.row()).status).toBe('done');
  });

  it('worker › transient failures › backed off within the jitter window, counting attempts', async () => {
    const t = await setup(async () => {
      throw new UpstreamError('ghl', 'transient', 'Bad gateway', { status: 502 });
    });
    const start = t.clock.now;

    await t.worker.drain();

    const row = await t.row();
    expect(row).toMatchObject({ status: 'failed', attempts: 1, last_error: 'GHL 502: Bad gateway' });
    expect(row.next_run_at).toBeGreaterThanOrEqual(start);
    expect(row.next_run_at).toBeLessThan(start + 1_000);
  });

  it('worker › failures until maxAttempts › dead after the twelfth attempt', async () => {
    let calls = 0;
    const t = await setup(async () => {
      calls++;
      throw new Error('socket hang up');
    });

    for (let i = 0; i < 12; i++) {
      await t.worker.drain();
      t.clock.now += 16 * 60_000;
    }
    await t.worker.drain();

    expect(calls).toBe(12);
    expect(await t.row()).toMatchObject({ status: 'dead', attempts: 12 });
    expect((await t.row()).last_error).toBe('Error: socket hang up (gave up after 12 attempts)');
    expect(t.outcomes.at(-1)).toBe('dead');
  });

  it('worker › GHL keeps answering 401 › dead on the third attempt with "GHL rejected the token"', async () => {
    let calls = 0;
    const t = await setup(async () => {
      calls++;
      throw new UpstreamError('ghl', 'auth', 'Invalid JWT', { status: 401 });
    });

    for (let i = 0; i < 5; i++) {
      await t.worker.drain();
      t.clock.now += 16 * 60_000;
    }

    expect(calls).toBe(3);
    expect(t.outcomes).toEqual(['retry', 'retry', 'dead']);
    expect((await t.row()).last_error).toBe('GHL rejected the token (GHL 401: Invalid JWT)');
  });

  it('worker › permanent 422 › dead at once with the reason', async () => {
    const t = await setup(async () => {
      throw new UpstreamError('ghl', 'permanent', 'email is invalid', { status: 422 });
    });

    await t.worker.drain();

    expect(await t.row()).toMatchObject({ status: 'dead', attempts: 1, last_error: 'GHL 422: email is invalid' });
    expect(t.outcomes).toEqual(['dead']);
  });

  it('worker › AppError 404 from a handler › dead', async () => {
    const t = await setup(async () => {
      throw notFound('Contact');
    });

    await t.worker.drain();

    expect(await t.row()).toMatchObject({ status: 'dead', last_error: 'not_found: Contact not found' });
  });

  it('worker › needs_reconnect › parked 15 minutes without using an attempt, then runs', async () => {
    let calls = 0;
    const t = await setup(async () => {
      calls++;
      if (calls === 1) throw new UpstreamError('ghl', 'needs_reconnect', 'refresh token revoked');
    });
    const start = t.clock.now;

    await t.worker.drain();
    const parked = await t.row();
    t.clock.now += PARK_MS;
    await t.worker.drain();

    expect(parked).toMatchObject({ status: 'failed', attempts: 0, next_run_at: start + PARK_MS });
    expect(t.outcomes).toEqual(['parked', 'done']);
  });

  it('worker › location parked before the run › handler not called, event waits', async () => {
    let calls = 0;
    let parked = true;
    const t = await setup(
      async () => {
        calls++;
      },
      { isLocationParked: async (locationId) => parked && locationId === 'loc_1' },
    );
    const start = t.clock.now;

    await t.worker.drain();
    const waiting = await t.row();
    parked = false;
    t.clock.now += PARK_MS;
    await t.worker.drain();

    expect(waiting).toMatchObject({ status: 'failed', attempts: 0, next_run_at: start + PARK_MS });
    expect(calls).toBe(1);
    expect(t.outcomes).toEqual(['parked', 'done']);
  });

  it('worker › no handler for the event type › ignored with the reason', async () => {
    const t = await setup(undefined);

    await t.worker.drain();

    const row = await t.row();
    expect(row.status).toBe('ignored');
    expect(JSON.parse(row.result!)).toEqual({ reason: 'No handler for responder event "message.received"' });
    expect(t.outcomes).toEqual(['ignored']);
  });

  it('worker › error text carrying a bearer token › stored without it', async () => {
    const t = await setup(async () => {
      throw new Error('request failed: Authorization: Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl');
    });

    await t.worker.drain();

    expect((await t.row()).last_error).toBe('Error: request failed: Authorization: Bearer [redacted]');
  });
});
