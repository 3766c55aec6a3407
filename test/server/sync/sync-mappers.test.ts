import { describe, expect, it } from 'vitest';
import type { GhlContact } from '../../../server/integrations/ghl/ghl-schemas';
import type { ResponderEvent } from '../../../server/integrations/responder/responder-event';
import {
  changedContactFields,
  contactFields,
  contactKeys,
  desiredTags,
  followUpTask,
  hasRef,
  messageRecord,
  missingTags,
  noteBody,
  unsubscribeDnd,
} from '../../../server/sync/sync-mappers';

const HEBREW = 'שלום, מה המחיר של החבילה?\u200F 👋';

function event(overrides: Partial<ResponderEvent> = {}): ResponderEvent {
  return {
    schema: 'responder-live.event/v1',
    event: 'message.replied',
    occurred_at: '2026-11-28T14:05:00+02:00',
    source: { list_id: '7', list_name: 'מתעניינים' },
    subscriber: {
      id: '987',
      email: 'Israel@Example.com',
      phone: '054-1234567',
      phone_e164: '+972541234567',
      first: 'ישראל',
      last: 'ישראלי',
      tags: [],
      personal_fields: {},
    },
    message: { channel: 'sms', direction: 'inbound', text: HEBREW },
    ...overrides,
  };
}

const contact = (c: Partial<GhlContact>): GhlContact => ({ id: 'c1', tags: [], customFields: [], ...c }) as GhlContact;

describe('sync-mappers', () => {
  it('contactKeys › full subscriber › id, lower-cased email and E.164 phone', () => {
    expect(contactKeys(event())).toEqual({ subscriberId: '987', email: 'israel@example.com', phone: '+972541234567' });
  });

  it('contactFields › phone that could not be normalised › kept raw', () => {
    const e = event({ subscriber: { phone: '\u200E12-34', tags: [], personal_fields: {} } });
    expect(contactFields(e)).toEqual({ phone: '12-34' });
  });

  it('contactFields › only a full name › sent as name, not split', () => {
    const e = event({ subscriber: { name: 'דוד בן-גוריון', email: 'd@x.io', tags: [], personal_fields: {} } });
    expect(contactFields(e)).toEqual({ name: 'דוד בן-גוריון', email: 'd@x.io' });
  });

  it('changedContactFields › same values in other forms › nothing to send', () => {
    const snap = contact({ firstName: 'ישראל', lastName: 'ישראלי', email: 'israel@example.com', phone: '+972 54-123-4567' });
    expect(changedContactFields(contactFields(event()), snap, 'IL')).toEqual({});
  });

  it('changedContactFields › a new last name and phone › only those fields', () => {
    const snap = contact({ firstName: 'ישראל', lastName: 'כהן', email: 'israel@example.com', phone: '+972501111111' });
    expect(changedContactFields(contactFields(event()), snap, 'IL')).toEqual({
      lastName: 'ישראלי',
      phone: '+972541234567',
    });
  });

  it('changedContactFields › event without a name › never blanks the known name', () => {
    const e = event({ subscriber: { email: 'israel@example.com', tags: [], personal_fields: {} } });
    expect(changedContactFields(contactFields(e), contact({ firstName: 'ישראל', email: 'israel@example.com' }), 'IL')).toEqual({});
  });

  it('noteBody › Hebrew reply › text byte for byte, local time, list and ref line', () => {
    const body = noteBody(event(), 'evt_123', 'Asia/Jerusalem');
    expect(Buffer.from(body).includes(Buffer.from(HEBREW))).toBe(true);
    expect(body).toContain('Responder Live · message.replied');
    expect(body).toContain('Channel: SMS · Direction: inbound');
    expect(body).toContain('List: מתעניינים');
    expect(body).toContain('Time: 2026-11-28 14:05 (Asia/Jerusalem, UTC+02:00)');
    expect(body.endsWith('ref: evt_123')).toBe(true);
  });

  it('noteBody › another zone › time shown on that wall clock', () => {
    expect(noteBody(event(), 'e', 'Europe/London')).toContain('Time: 2026-11-28 12:05 (Europe/London, UTC+00:00)');
  });

  it('hasRef › similar ids › only the exact event id matches', () => {
    const body = noteBody(event(), 'evt_12', 'Asia/Jerusalem');
    expect(hasRef(body, 'evt_12')).toBe(true);
    expect(hasRef(body, 'evt_1')).toBe(false);
    expect(hasRef(`x\nref: evt_123`, 'evt_12')).toBe(false);
  });

  it('desiredTags + missingTags › tags already there in another case › only the missing ones', () => {
    const wanted = desiredTags(event());
    expect(wanted).toEqual(['responder-live', 'מתעניינים', 'responder:message.replied']);
    expect(missingTags(wanted, ['Responder-Live', 'vip'])).toEqual(['מתעניינים', 'responder:message.replied']);
    expect(missingTags(wanted, wanted.map((t) => t.toUpperCase()))).toEqual([]);
  });

  it('unsubscribeDnd › SMS unsubscribe › dndSettings.SMS active with message and code', () => {
    const e = event({ event: 'subscriber.unsubscribed' });
    const dnd = unsubscribeDnd(e, contact({}), 'Asia/Jerusalem');
    expect(dnd?.dndSettings?.SMS).toMatchObject({ status: 'active', code: 'responder_live_unsubscribe' });
    expect(dnd?.dndSettings?.SMS?.message).toContain('מתעניינים');
    expect(dnd?.dnd).toBeUndefined();
  });

  it('unsubscribeDnd › unknown channel › global dnd; already set › null', () => {
    const e = event({ event: 'subscriber.unsubscribed', message: undefined });
    expect(unsubscribeDnd(e, contact({}), 'Asia/Jerusalem')).toEqual({ dnd: true });
    expect(unsubscribeDnd(e, contact({ dnd: true }), 'Asia/Jerusalem')).toBeNull();
    const sms = event({ event: 'subscriber.unsubscribed' });
    expect(unsubscribeDnd(sms, contact({ dndSettings: { SMS: { status: 'active' } } }), 'Asia/Jerusalem')).toBeNull();
    expect(unsubscribeDnd(event(), contact({}), 'Asia/Jerusalem')).toBeNull();
  });

  it('followUpTask › reply › title names the person and body ends with the ref', () => {
    const task = followUpTask(event(), 'evt_9', 'Asia/Jerusalem', { kind: 'inbound_reply' });
    expect(task.title).toBe('Follow up: ישראל ישראלי replied (SMS)');
    expect(task.body).toContain(HEBREW);
    expect(hasRef(task.body, 'evt_9')).toBe(true);
  });

  it('messageRecord › message event › history row with the epoch time and raw text', () => {
    const row = messageRecord(event(), { locationId: 'L', contactId: 'C', inboxEventId: 'E' });
    expect(row).toMatchObject({ eventType: 'message.replied', channel: 'sms', text: HEBREW, listName: 'מתעניינים' });
    expect(row.occurredAt).toBe(Date.parse('2026-11-28T12:05:00Z'));
  });
});
