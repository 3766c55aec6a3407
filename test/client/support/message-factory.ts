import type { Message } from '../../../shared/contracts/messages';

let seq = 0;

/** A Responder Live timeline entry; each call makes a new id. */
export function message(overrides: Partial<Message> = {}): Message {
  seq += 1;
  return {
    id: `m${seq}`,
    eventType: 'message.received',
    channel: 'email',
    direction: 'inbound',
    subject: `Subject ${seq}`,
    text: `Text ${seq}`,
    url: null,
    listName: null,
    occurredAt: '2024-05-01T09:30:00.000Z',
    ...overrides,
  };
}
