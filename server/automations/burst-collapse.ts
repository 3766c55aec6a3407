import type { AutomationRepository } from '../db/repositories/automation-repository';
import type { HandlerContext } from '../jobs/inbox-worker';
import { Reschedule } from '../jobs/reschedule';

/** Contact webhooks a burst folds together; ContactCreate and ContactDelete always run on their own. */
export const COLLAPSIBLE_TYPES = ['ContactUpdate', 'ContactTagUpdate', 'ContactDndUpdate'] as const;

export const DEFAULT_BURST_WINDOW_MS = 10_000;

export interface Burst {
  /** The later events folded into this run (marked done with `collapsedInto`). */
  folded: string[];
  /** Every event type in the burst (this event's first). */
  types: string[];
  /** The newest stored webhook of the burst: GHL sends the whole contact each time, so it is the latest state. */
  payload: unknown;
}

/**
 * Collapses a burst of one contact's update webhooks into one run (issue 5 §2): the first event waits until
 * `windowMs` passed after the last update (at most `maxWaitMs` after its own arrival), then takes every later
 * update of the contact with it. The later events cannot start meanwhile: the inbox runs one contact's events in
 * order. The decision is checkpointed before the others are folded, so a retry folds the same set.
 */
export async function collapseBurst(
  ctx: Pick<HandlerContext, 'event' | 'payload' | 'checkpoint'>,
  repo: Pick<AutomationRepository, 'burstFollowers' | 'foldInto'>,
  opts: { windowMs: number; maxWaitMs: number; now: () => number; contactId: string },
): Promise<Burst> {
  const e = ctx.event;
  const burst = await ctx.checkpoint<Burst>('collapse', async () => {
    const followers = e.ordering_key
      ? await repo.burstFollowers({ id: e.id, orderingKey: e.ordering_key, receivedAt: e.received_at }, COLLAPSIBLE_TYPES)
      : [];
    const last = Math.max(e.received_at, ...followers.map((f) => f.receivedAt));
    const due = Math.min(last + opts.windowMs, e.received_at + opts.maxWaitMs);
    if (opts.now() < due) {
      throw new Reschedule(due, `Waiting for the burst window: ${followers.length + 1} update(s) of this contact so far`);
    }
    const newest = [...followers].reverse().find((f) => f.payload !== null);
    return {
      folded: followers.map((f) => f.id),
      types: [...new Set([e.event_type, ...followers.map((f) => f.eventType)])],
      payload: newest ? newest.payload : ctx.payload,
    };
  });
  await repo.foldInto(burst.folded, e.id, opts.contactId, opts.now());
  return burst;
}
