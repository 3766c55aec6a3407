import { randomBytes } from 'node:crypto';
import type { NewInboxEvent } from '../../server/db/repositories/inbox-repository';

/** A pending Responder event with a unique dedupe key; override what the test is about. */
export function inboxEvent(overrides: Partial<NewInboxEvent> = {}): NewInboxEvent {
  return {
    source: 'responder',
    locationId: 'loc_1',
    dedupeKey: `dk_${randomBytes(8).toString('hex')}`,
    eventType: 'message.received',
    orderingKey: null,
    payload: { event: 'message.received', message: { text: 'שלום' } },
    rawPayload: { text: 'שלום' },
    status: 'pending',
    ...overrides,
  };
}
