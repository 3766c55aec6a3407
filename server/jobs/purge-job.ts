import type { IdempotencyRepository } from '../db/repositories/idempotency-repository';
import type { InboxRepository } from '../db/repositories/inbox-repository';
import { IDEMPOTENCY_TTL_MS } from '../http/idempotency';
import type { Logger } from '../logger';

export interface PurgeJobOptions {
  inbox: Pick<InboxRepository, 'purgeRawPayloads'>;
  /** Idempotency keys are dropped once past the window in which they answer (24 h). */
  idempotency?: Pick<IdempotencyRepository, 'purgeBefore'>;
  /** RAW_PAYLOAD_RETENTION_DAYS: payloads of events finished longer ago are dropped; the rows stay as history. */
  retentionDays: number;
  /** How often to run (default 1 h); the first run comes one interval after start. */
  intervalMs?: number;
  logger: Logger;
  now?: () => number;
}

export interface PurgeJob {
  /** One purge now (the timer calls this too); resolves with what went. */
  runOnce(): Promise<{ payloads: number; idempotencyKeys: number }>;
  stop(): void;
}

const DAY_MS = 86_400_000;

/**
 * Retention (issue 7 hardening): the bodies received are personal data kept only for audit and replay, so they
 * go after `retentionDays` while the activity history keeps its rows. The timer is unref'd so it never holds a
 * process open, and a run never overlaps the previous one.
 */
export function startPurgeJob(opts: PurgeJobOptions): PurgeJob {
  const now = opts.now ?? Date.now;
  const intervalMs = opts.intervalMs ?? 3_600_000;
  const log = opts.logger.child({ job: 'purge' });
  let running: Promise<{ payloads: number; idempotencyKeys: number }> | undefined;

  const runOnce = () => {
    running ??= (async () => {
      try {
        const t = now();
        const payloads = await opts.inbox.purgeRawPayloads(opts.retentionDays * DAY_MS, t);
        const idempotencyKeys = opts.idempotency ? await opts.idempotency.purgeBefore(t - IDEMPOTENCY_TTL_MS) : 0;
        if (payloads > 0 || idempotencyKeys > 0) log.info({ payloads, idempotencyKeys }, 'purged old payloads');
        return { payloads, idempotencyKeys };
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const timer = setInterval(() => {
    runOnce().catch((err: unknown) => log.error({ err }, 'purge failed; retrying at the next interval'));
  }, intervalMs);
  timer.unref();

  return {
    runOnce,
    stop: () => clearInterval(timer),
  };
}
