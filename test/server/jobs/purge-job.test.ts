import { afterEach, describe, expect, it, vi } from 'vitest';
import { IdempotencyRepository } from '../../../server/db/repositories/idempotency-repository';
import { InboxRepository } from '../../../server/db/repositories/inbox-repository';
import { startPurgeJob } from '../../../server/jobs/purge-job';
import type { Logger } from '../../../server/logger';
import { createLogger } from '../../../server/logger';
import { inboxEvent } from '../../support/inbox-factory';
import { createTestDb, testDialects, type TestDb } from '../../support/test-db';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** A logger whose `error` calls are recorded (the job logs through a child). */
function recordingLogger() {
  const errors: unknown[] = [];
  const log = {
    info: vi.fn(),
    error: (obj: unknown) => errors.push(obj),
    child: () => log,
  };
  return { logger: log as unknown as Logger, errors };
}

describe.each(testDialects())('startPurgeJob on %s', (dialect) => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.destroy();
    db = undefined;
  });

  it('runOnce › finished event past retention, pending event, old and fresh idempotency keys › old payloads and keys go, rows stay', async () => {
    db = await createTestDb(dialect);
    const inbox = new InboxRepository(db);
    const idempotency = new IdempotencyRepository(db);
    const finished = await inbox.insert(inboxEvent({ status: 'ignored' }));
    const pending = await inbox.insert(inboxEvent({ status: 'pending' }));
    const later = Date.now() + 31 * DAY;
    const reserve = (key: string, at: number) =>
      idempotency.reserve({ locationId: 'loc_1', key, requestHash: 'h', now: at, expiredBefore: 0, abandonedBefore: 0 });
    await reserve('old', later - 25 * HOUR);
    await reserve('fresh', later - HOUR);
    const job = startPurgeJob({ inbox, idempotency, retentionDays: 30, logger: createLogger('silent'), now: () => later });

    const result = await job.runOnce();
    job.stop();

    expect(result).toEqual({ payloads: 1, idempotencyKeys: 1 });
    expect(await inbox.get(finished.id)).toMatchObject({ status: 'ignored', event_type: 'message.received', payload: null, raw_payload: null });
    expect((await inbox.get(pending.id))?.payload).not.toBeNull();
    expect(await idempotency.get('loc_1', 'old')).toBeUndefined();
    expect(await idempotency.get('loc_1', 'fresh')).toBeDefined();
  });

  it('runOnce › finished event inside retention › payload kept', async () => {
    db = await createTestDb(dialect);
    const inbox = new InboxRepository(db);
    const finished = await inbox.insert(inboxEvent({ status: 'ignored' }));
    const job = startPurgeJob({ inbox, retentionDays: 30, logger: createLogger('silent'), now: () => Date.now() + 29 * DAY });

    const result = await job.runOnce();
    job.stop();

    expect(result).toEqual({ payloads: 0, idempotencyKeys: 0 });
    expect((await inbox.get(finished.id))?.raw_payload).not.toBeNull();
  });
});

describe('startPurgeJob › timer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('interval › runs once per interval until stopped, with the retention in ms', async () => {
    vi.useFakeTimers();
    const purgeRawPayloads = vi.fn(async () => 0);
    const job = startPurgeJob({ inbox: { purgeRawPayloads }, retentionDays: 7, intervalMs: 1000, logger: createLogger('silent'), now: () => 5 });

    await vi.advanceTimersByTimeAsync(999);
    const beforeFirst = purgeRawPayloads.mock.calls.length;
    await vi.advanceTimersByTimeAsync(2001);
    const afterThree = purgeRawPayloads.mock.calls.length;
    job.stop();
    await vi.advanceTimersByTimeAsync(5000);

    expect(beforeFirst).toBe(0);
    expect(afterThree).toBe(3);
    expect(purgeRawPayloads.mock.calls.length).toBe(3);
    expect(purgeRawPayloads).toHaveBeenCalledWith(7 * DAY, 5);
  });

  it('interval › the database fails › logged, and the next interval tries again', async () => {
    vi.useFakeTimers();
    const purgeRawPayloads = vi.fn().mockRejectedValueOnce(new Error('database down')).mockResolvedValue(0);
    const { logger, errors } = recordingLogger();
    const job = startPurgeJob({ inbox: { purgeRawPayloads }, retentionDays: 30, intervalMs: 1000, logger });

    await vi.advanceTimersByTimeAsync(2000);
    job.stop();

    expect(errors).toHaveLength(1);
    expect(purgeRawPayloads).toHaveBeenCalledTimes(2);
  });

  it('runOnce › called while a run is in progress › shares that run instead of starting another', async () => {
    let release: (n: number) => void = () => undefined;
    const purgeRawPayloads = vi.fn(() => new Promise<number>((resolve) => (release = resolve)));
    const job = startPurgeJob({ inbox: { purgeRawPayloads }, retentionDays: 30, logger: createLogger('silent') });

    const first = job.runOnce();
    const second = job.runOnce();
    release(4);
    const results = await Promise.all([first, second]);
    job.stop();

    expect(purgeRawPayloads).toHaveBeenCalledTimes(1);
    expect(results).toEqual([
      { payloads: 4, idempotencyKeys: 0 },
      { payloads: 4, idempotencyKeys: 0 },
    ]);
  });
});
