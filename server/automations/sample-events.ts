import type { Trigger } from '../../shared/contracts/rules';
import type { GhlContact } from '../integrations/ghl/ghl-schemas';
import type { ResponderEvent } from '../integrations/responder/responder-event';

/*
 * Sample events for "Test this rule" (issue 5 §5): realistic, Hebrew first (an SMS reply asking for a quote), so
 * a user sees their templates rendered with the kind of text their contacts send.
 */

export const SAMPLE_HEBREW_REPLY = 'שלום, אפשר לקבל הצעת מחיר?';
export const SAMPLE_CONTACT_ID = 'sample-contact';

/** A Responder Live event of the trigger's type (a wildcard picks an inbound SMS reply or a join). */
export function sampleResponderEvent(trigger: Extract<Trigger, { source: 'responder' }>, occurredAt: string): ResponderEvent {
  const event =
    trigger.event === '*' || trigger.event === 'message.*'
      ? 'message.replied'
      : trigger.event === 'subscriber.*'
        ? 'subscriber.joined'
        : trigger.event;
  const isMessage = event.startsWith('message.');
  return {
    schema: 'responder-live.event/v1',
    event,
    event_id: 'sample',
    occurred_at: occurredAt,
    source: { list_id: '101', list_name: 'לקוחות' },
    subscriber: {
      id: '5001',
      email: 'dana.cohen@example.co.il',
      phone: '054-1234567',
      phone_e164: '+972541234567',
      first: 'דנה',
      last: 'כהן',
      tags: [],
      personal_fields: { עיר: 'תל אביב' },
    },
    ...(isMessage
      ? {
          message: {
            id: 'sample-message',
            channel: 'sms' as const,
            direction: event === 'message.replied' || event === 'message.received' ? ('inbound' as const) : ('outbound' as const),
            text: SAMPLE_HEBREW_REPLY,
          },
        }
      : {}),
  };
}

/** A GHL contact before and after a typical edit: a new phone, a new owner and a `vip` tag. */
export function sampleGhlContacts(locationId: string): { before: GhlContact; after: GhlContact } {
  const before: GhlContact = {
    id: SAMPLE_CONTACT_ID,
    locationId,
    firstName: 'דנה',
    lastName: 'כהן',
    email: 'dana.cohen@example.co.il',
    phone: '+972541234567',
    assignedTo: 'sample-user-1',
    tags: ['לקוחות'],
    customFields: [],
    dnd: false,
  };
  return {
    before,
    after: { ...before, phone: '+972527654321', assignedTo: 'sample-user-2', tags: ['לקוחות', 'vip'] },
  };
}

export const SAMPLE_NOTE = { id: 'sample-note', body: `הלקוחה ביקשה: ${SAMPLE_HEBREW_REPLY}` };
export const SAMPLE_TASK = {
  id: 'sample-task',
  title: 'להתקשר לדנה בנוגע להצעת מחיר',
  body: SAMPLE_HEBREW_REPLY,
  assignedTo: 'sample-user-1',
  dueDate: '',
};
