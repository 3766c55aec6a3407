import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { InboxEventRow } from '../db/schema';
import { parseCheckpoints } from '../db/repositories/inbox-codec';
import type { InboxRepository } from '../db/repositories/inbox-repository';
import type { Logger } from '../logger';
import { errorText, keepLease, settlesWithin } from './lease-keeper';
import { Reschedule } from './reschedule';
import { DEFAULT_MAX_ATTEMPTS, PARK_MS, decideFailure } from './retry-policy';
import { LeaseLostError, StepCheckpoints, type CheckpointOptions, type UnsavedSteps } from './step-checkpoints';

export interface HandlerContext {
  event: InboxEventRow;
  /** The stored normalised event (JSON-parsed), or null once purged. */
  payload: unknown;
  log: Logger;
  /**
   * Runs `step` once per event: a stored result is returned on retries instead of running it again. The result
   * of a step marked `deferrable` or `quiet` (see CheckpointOptions) is stored with the event's next write.
   */
  checkpoint<T>(step: string, run: () => Promise<T>, options?: CheckpointOptions<T>): Promise<T>;
  /** Records the event's GHL contact (the activity filter), with the event's next write. */
  setContactId(contactId: string): Promise<void>;
  /** Tripped when the worker stops past its timeout or loses the event's lease. */
  signal: AbortSignal;
}
export interface HandlerResult {
  status?: 'done' | 'ignored';
  contactId?: string;
  summary?: unknown;
}
export type EventHandler = (ctx: HandlerContext) => Promise<HandlerResult | void>;
export type WorkerOutcome = 'done' | 'ignored' | 'retry' | 'dead' | 'parked';

export interface InboxWorkerOptions {
  inbox: InboxRepository;
  resolveHandler: (event: InboxEventRow) => EventHandler | undefined;
  logger: Logger;
  workerId?: string;
  concurrency: number;
  pollMs: number;
  leaseMs: number;
  maxAttempts?: number;
  now?: () => number;
  /** Locations whose tokens are gone for good: their work waits instead of burning retries. */
  isLocationParked?: (locationId: string) => Promise<boolean>;
  onOutcome?: (o: { event: InboxEventRow; outcome: WorkerOutcome; error?: unknown; durationMs: number }) => void;
  /** How long stop() waits for in-flight handlers before aborting them (default 25 s). */
  stopTimeoutMs?: number;
  /** How long a free slot may wait for others to free before it is refilled alone (default CLAIM_BATCH_WAIT_MS). */
  claimBatchWaitMs?: number;
}

class WorkerStoppingError extends Error {
  constructor() {
    super('The worker is shutting down');
    this.name = 'WorkerStoppingError';
  }
}

const ABORT_GRACE_MS = 5_000;
/** While events run, the loop claims again once this share of the slots (1/4) is free… */
const CLAIM_BATCH_SHARE = 4;
/**
 * …or once a slot has been free this long: against GHL's real latency (hundreds of ms per call) slots free slowly,
 * and waiting for a quarter of them would leave that many idle.
 */
export const CLAIM_BATCH_WAIT_MS = 20;

/**
 * Runs inbox events through their handlers (SPEC §3): claims due events with a lease, runs up to `concurrency`
 * at once (one at a time per ordering key, which the claim enforces), keeps leases alive, checkpoints steps and
 * applies the retry policy. It knows nothing of GHL or Responder beyond `UpstreamError`.
 */
export class InboxWorker {
  readonly workerId: string;
  private readonly opts: InboxWorkerOptions;
  private readonly maxAttempts: number;
  private readonly claimBatch: number;
  private readonly claimBatchWaitMs: number;
  /** performance.now() when a slot first stood free since the last claim. */
  private freeSince: number | undefined;
  private readonly now: () => number;
  private readonly inFlight = new Map<string, { done: Promise<void>; abort: AbortController }>();
  private readonly wakers = new Set<() => void>();
  private loopPromise: Promise<void> | undefined;
  private stopping = false;

  constructor(opts: InboxWorkerOptions) {
    this.opts = opts;
    this.workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.claimBatch = Math.max(1, Math.floor(opts.concurrency / CLAIM_BATCH_SHARE));
    this.claimBatchWaitMs = opts.claimBatchWaitMs ?? CLAIM_BATCH_WAIT_MS;
    this.now = opts.now ?? Date.now;
  }

  /** Starts the polling loop. */
  start(): void {
    if (this.loopPromise) return;
    this.stopping = false;
    this.loopPromise = this.loop();
  }

  /** Stops claiming and waits for in-flight handlers; past the timeout their signals are tripped. */
  async stop(opts: { timeoutMs?: number } = {}): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loopPromise;
    this.loopPromise = undefined;
    const running = [...this.inFlight.values()];
    if (running.length === 0) return;
    const settled = Promise.all(running.map((r) => r.done));
    if (await settlesWithin(settled, opts.timeoutMs ?? this.opts.stopTimeoutMs ?? 25_000)) return;
    this.opts.logger.warn({ inFlight: running.length }, 'worker stop timed out; aborting in-flight handlers');
    for (const r of running) r.abort.abort(new WorkerStoppingError());
    // A handler that ignores its signal keeps its lease until it expires; another worker then takes over.
    await settlesWithin(settled, ABORT_GRACE_MS);
  }

  /** Claims one batch (up to the free slots), runs it, and resolves with the number claimed once it finished. */
  async runOnce(): Promise<number> {
    const free = this.opts.concurrency - this.inFlight.size;
    if (free <= 0) return 0;
    const events = await this.claim(free);
    await Promise.all(events.map((e) => this.launch(e)));
    return events.length;
  }

  /** Runs batches until nothing is due (events scheduled later stay put). For tests and scripts. */
  async drain(opts: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    for (;;) {
      if (Date.now() > deadline) throw new Error('Inbox drain timed out with work still due');
      if ((await this.runOnce()) > 0) continue;
      if (this.inFlight.size === 0) return;
      await Promise.race([...this.inFlight.values()].map((r) => r.done));
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const free = this.opts.concurrency - this.inFlight.size;
      // Under load, slots are refilled a batch at a time: a claim is one write transaction walking the unfinished
      // rows, which costs about the same for one event as for several, and refilling every slot the moment it
      // freed made it the costliest query per event (bench/drain-bench.ts). The running events wake us as they end.
      let waitMs: number | undefined;
      if (free > 0 && free < this.claimBatch && this.inFlight.size > 0) {
        this.freeSince ??= performance.now();
        const left = this.freeSince + this.claimBatchWaitMs - performance.now();
        if (left > 0) waitMs = left;
      }
      const batched = waitMs !== undefined;
      let claimed = 0;
      if (free > 0 && !batched) {
        this.freeSince = undefined;
        try {
          const events = await this.claim(free);
          claimed = events.length;
          for (const e of events) void this.launch(e);
        } catch (err) {
          this.opts.logger.error({ error: errorText(err) }, 'claiming inbox events failed');
        }
      }
      if (this.stopping) break;
      // All slots busy, or a batch still freeing: wait for an event to finish (or the batch wait to run out).
      // Otherwise poll, but wake early when an event finishes, since that may have released the next event of
      // its contact.
      await this.sleep(batched ? waitMs : free > 0 && claimed === free ? undefined : this.opts.pollMs);
    }
  }

  private claim(limit: number): Promise<InboxEventRow[]> {
    return this.opts.inbox.claimDue(this.workerId, limit, this.opts.leaseMs, this.now());
  }

  private sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }

  private launch(event: InboxEventRow): Promise<void> {
    const abort = new AbortController();
    const done = this.process(event, abort)
      .catch((err: unknown) => {
        this.opts.logger.error({ eventId: event.id, error: errorText(err) }, 'inbox event bookkeeping failed');
      })
      .finally(() => {
        this.inFlight.delete(event.id);
        this.wake();
      });
    this.inFlight.set(event.id, { done, abort });
    return done;
  }

  private async process(event: InboxEventRow, abort: AbortController): Promise<void> {
    const { inbox, logger } = this.opts;
    const started = Date.now();
    const log = logger.child({
      eventId: event.id,
      eventType: event.event_type,
      locationId: event.location_id,
      attempt: event.attempts + 1,
    });
    const report = (outcome: WorkerOutcome, error?: unknown) => {
      try {
        this.opts.onOutcome?.({ event, outcome, error, durationMs: Date.now() - started });
      } catch (err) {
        log.warn({ error: errorText(err) }, 'onOutcome callback threw');
      }
    };
    const applied = (ok: boolean) => {
      if (!ok) log.warn('lease lost; another worker owns this event now');
      return ok;
    };

    if (event.attempts >= this.maxAttempts) {
      // Only takeovers of expired leases get here (claimDue counts them): a worker keeps dying on this event.
      const error = `Gave up after ${event.attempts} attempts (the worker stopped mid-event each time)`;
      const ok = await inbox.markDead(event.id, this.workerId, error, { now: this.now(), countAttempt: false });
      if (applied(ok)) report('dead', new Error(error));
      return;
    }
    let stopLease: (() => void) | undefined;
    let steps: StepCheckpoints | undefined;
    try {
      if (event.location_id !== null && (await this.opts.isLocationParked?.(event.location_id))) {
        const ok = await inbox.retry(
          event.id,
          this.workerId,
          { error: 'Waiting for the location to reconnect', nextRunAt: this.now() + PARK_MS, countAttempt: false },
          this.now(),
        );
        if (applied(ok)) report('parked');
        return;
      }
      const handler = this.opts.resolveHandler(event);
      if (!handler) {
        const reason = `No handler for ${event.source} event "${event.event_type}"`;
        const ignored = { status: 'ignored' as const, result: { reason } };
        const ok = await inbox.complete(event.id, this.workerId, ignored, this.now());
        if (applied(ok)) {
          log.info(reason);
          report('ignored');
        }
        return;
      }

      stopLease = keepLease({
        extend: () => inbox.extendLease(event.id, this.workerId, this.opts.leaseMs, this.now()),
        everyMs: this.opts.leaseMs / 3,
        onLost: () => abort.abort(new LeaseLostError()),
        log,
      });
      let contactId: string | undefined;
      const checkpoints = new StepCheckpoints(
        parseCheckpoints(event.checkpoints),
        (values, contact) => inbox.saveCheckpoints(event.id, this.workerId, values, this.now(), { contactId: contact }),
        abort.signal,
      );
      steps = checkpoints;
      const ctx: HandlerContext = {
        event,
        payload: event.payload === null ? null : (JSON.parse(event.payload) as unknown),
        log,
        signal: abort.signal,
        checkpoint: (step, run, options) => checkpoints.run(step, run, options),
        setContactId: async (id: string) => {
          contactId = id;
          checkpoints.setContactId(id);
        },
      };
      const result = (await handler(ctx)) ?? {};
      const status = result.status ?? 'done';
      // Not taken: should the completion fail, the retry's write stores them instead.
      const unsaved = checkpoints.unsaved();
      const ok = await inbox.complete(
        event.id,
        this.workerId,
        {
          status,
          contactId: result.contactId ?? contactId,
          result: result.summary,
          ...(unsaved.checkpoints ? { checkpoints: unsaved.checkpoints } : {}),
        },
        this.now(),
      );
      if (applied(ok)) {
        log.debug({ status, durationMs: Date.now() - started }, 'inbox event finished');
        report(status);
      }
    } catch (err) {
      await this.fail(event, err, abort.signal, log, report, steps?.takeUnsaved() ?? {});
    } finally {
      stopLease?.();
    }
  }

  private async fail(
    event: InboxEventRow,
    err: unknown,
    signal: AbortSignal,
    log: Logger,
    report: (outcome: WorkerOutcome, error?: unknown) => void,
    unsaved: UnsavedSteps,
  ): Promise<void> {
    const { inbox } = this.opts;
    if (err instanceof LeaseLostError || signal.reason instanceof LeaseLostError) {
      log.warn('lease lost mid-event; the new owner carries on from the last checkpoint');
      return;
    }
    const now = this.now();
    if (signal.reason instanceof WorkerStoppingError) {
      // Cut short by shutdown, not the event's fault: straight back to the queue, no attempt used.
      const ok = await inbox.retry(
        event.id,
        this.workerId,
        { error: 'Interrupted by worker shutdown', nextRunAt: now, countAttempt: false, ...unsaved },
        now,
      );
      if (ok) report('retry', err);
      return;
    }
    if (err instanceof Reschedule) {
      // Asked for, not a failure: back to the queue (pending) at the requested time, no attempt used.
      const ok = await inbox.retry(
        event.id,
        this.workerId,
        { error: err.message, nextRunAt: err.runAt, countAttempt: false, status: 'pending', ...unsaved },
        now,
      );
      if (ok) {
        log.debug({ runAt: err.runAt }, 'inbox event rescheduled by its handler');
        report('retry');
      }
      return;
    }
    const decision = decideFailure(err, event, { now, maxAttempts: this.maxAttempts });
    const ok =
      decision.action === 'dead'
        ? await inbox.markDead(event.id, this.workerId, decision.error, { now, ...unsaved })
        : await inbox.retry(
            event.id,
            this.workerId,
            {
              error: decision.error,
              nextRunAt: decision.nextRunAt,
              countAttempt: decision.action === 'retry' && decision.countAttempt,
              rateLimited: decision.action === 'retry' && decision.rateLimited,
              ...unsaved,
            },
            now,
          );
    if (!ok) {
      log.warn('lease lost; another worker owns this event now');
      return;
    }
    const fields = { kind: decision.kind, error: decision.error };
    if (decision.action === 'dead') log.error(fields, 'inbox event dead');
    else if (decision.action === 'parked') log.info(fields, 'inbox event parked until the location reconnects');
    else log.warn({ ...fields, retryInMs: decision.nextRunAt - now }, 'inbox event will be retried');
    report(decision.action, err);
  }
}
