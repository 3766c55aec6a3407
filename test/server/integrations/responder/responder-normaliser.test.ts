import { describe, expect, it } from 'vitest';
import { responderEventSchema, type ResponderEvent } from '../../../../server/integrations/responder/responder-event';
import {
  normaliseResponderPayload,
  parseResponderBody,
  type NormaliseResult,
} from '../../../../server/integrations/responder/responder-normaliser';

const receivedAt = new Date('2026-11-28T12:00:00Z');

function normalise(body: unknown, query: Record<string, unknown> = {}): NormaliseResult {
  return normaliseResponderPayload({ body, query, locationId: 'loc1', receivedAt });
}

function ok(result: NormaliseResult): { event: ResponderEvent; dedupeKey: string; known: boolean } {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  // Whatever the normaliser makes must satisfy the canonical schema the worker reads.
  expect(responderEventSchema.safeParse(result.event).success).toBe(true);
  return result;
}

describe('normaliseResponderPayload', () => {
  it('canonical form › full message event › passes through with phone_e164 added', () => {
    const body = {
      schema: 'responder-live.event/v1',
      event: 'message.replied',
      event_id: 'evt-77',
      occurred_at: '2026-11-28T14:05:00+02:00',
      source: { account_id: 1000047, list_id: 123456, list_name: 'מתעניינים' },
      subscriber: {
        id: 987654,
        email: 'israel@example.com',
        phone: '0502345678',
        first: 'ישראל',
        last: 'ישראלי',
        tags: ['לקוח-חדש'],
        personal_fields: { '1251': 'facebook' },
      },
      message: { id: 'm1', channel: 'sms', direction: 'inbound', text: 'כן, אשמח לפרטים 🙂' },
    };
    const { event, dedupeKey, known } = ok(normalise(body));
    expect(known).toBe(true);
    expect(dedupeKey).toBe('responder:loc1:id:evt-77');
    expect(event).toEqual({
      schema: 'responder-live.event/v1',
      event: 'message.replied',
      event_id: 'evt-77',
      occurred_at: '2026-11-28T14:05:00+02:00',
      source: { account_id: '1000047', list_id: '123456', list_name: 'מתעניינים' },
      subscriber: {
        id: '987654',
        email: 'israel@example.com',
        phone: '0502345678',
        phone_e164: '+972502345678',
        first: 'ישראל',
        last: 'ישראלי',
        name: 'ישראל ישראלי',
        tags: ['לקוח-חדש'],
        personal_fields: { '1251': 'facebook' },
      },
      message: { id: 'm1', channel: 'sms', direction: 'inbound', text: 'כן, אשמח לפרטים 🙂' },
    });
  });

  it('canonical form › wrong type for a field › invalid_event error naming the field', () => {
    const result = normalise({ schema: 'responder-live.event/v1', event: 'message.sent', subscriber: { email: { x: 1 } } });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_event' } });
    expect(!result.ok && result.error.message).toContain('subscriber.email');
  });

  it('flat English payload › list webhook keys in upper case › subscriber.updated with split name', () => {
    const { event, known } = ok(normalise({ EMAIL: 'Dana@Example.com ', PHONE: '054-1234567', NAME: 'דנה לוי', LIST_NAME: 'לקוחות', city: 'חיפה' }));
    expect(known).toBe(true);
    expect(event.event).toBe('subscriber.updated');
    expect(event.subscriber).toMatchObject({
      email: 'Dana@Example.com',
      phone: '054-1234567',
      phone_e164: '+972541234567',
      first: 'דנה',
      last: 'לוי',
      name: 'דנה לוי',
      personal_fields: { city: 'חיפה' },
    });
    expect(event.source.list_name).toBe('לקוחות');
    expect(event.occurred_at_derived).toBe(true);
    expect(event.message).toBeUndefined();
  });

  it('flat Hebrew keys with bidi marks › mapped like English, unknown Hebrew keys kept verbatim', () => {
    const body = {
      '\u200Fאימייל': 'avi@example.com',
      'מספר טלפון': '+972 54-123-4567',
      'שם פרטי': 'אבי',
      'שם משפחה': 'בן-דוד',
      'דוא״ל נוסף': 'x',
      'עיר מגורים': '\u200Fתל אביב',
      תגיות: 'חם, VIP',
      תאריך: '2026-03-27 02:30',
    };
    const { event } = ok(normalise(body));
    expect(event.subscriber).toMatchObject({
      email: 'avi@example.com',
      phone_e164: '+972541234567',
      first: 'אבי',
      last: 'בן-דוד',
      name: 'אבי בן-דוד',
      tags: ['חם', 'VIP'],
      personal_fields: { 'דוא״ל נוסף': 'x', 'עיר מגורים': '\u200Fתל אביב' },
    });
    expect(event.occurred_at).toBe('2026-03-27T03:30:00+03:00');
  });

  it('flat payload with message text and no type › message.received as inbound SMS when only a phone is known', () => {
    const { event } = ok(normalise({ phone: '0541234567', message: 'שלום, מה המחיר?' }));
    expect(event.event).toBe('message.received');
    expect(event.message).toEqual({ channel: 'sms', direction: 'inbound', text: 'שלום, מה המחיר?' });
  });

  it('flat payload › message with subject › email channel, text byte for byte', () => {
    const text = '  שורה 1\n\u200Fשורה 2  ';
    const { event } = ok(normalise({ email: 'a@b.co', event: 'message.sent', subject: 'מבצע', body: text, link: 'https://x.co/?a=1' }));
    expect(event.message).toEqual({ channel: 'email', direction: 'outbound', subject: 'מבצע', text, url: 'https://x.co/?a=1' });
  });

  it('?event= in the query › overrides the body event', () => {
    const { event } = ok(normalise({ email: 'a@b.co', event: 'subscriber.updated' }, { event: 'message.opened' }));
    expect(event.event).toBe('message.opened');
    expect(event.message).toMatchObject({ channel: 'email', direction: 'outbound' });
  });

  it.each([
    [1, 'subscriber.joined'],
    ['2', 'subscriber.updated'],
    [5, 'subscriber.rejoined'],
    [[1], 'subscriber.joined'],
  ])('Responder numeric event %j › %s', (id, type) => {
    const { event, known } = ok(normalise({ email: 'a@b.co', events: id }));
    expect(event.event).toBe(type);
    expect(known).toBe(true);
  });

  it('numeric event in the query string › mapped the same way', () => {
    expect(ok(normalise({ email: 'a@b.co' }, { event: '5' })).event.event).toBe('subscriber.rejoined');
  });

  it('unknown event type › known false, event "unknown", original kept in raw_event', () => {
    const { event, known } = ok(normalise({ email: 'a@b.co', event: 'form.viewed' }));
    expect(known).toBe(false);
    expect(event.event).toBe('unknown');
    expect(event.raw_event).toBe('form.viewed');
  });

  it('updated event with an inactive status › subscriber.unsubscribed', () => {
    expect(ok(normalise({ email: 'a@b.co', status: 'הוסר' }, { event: '2' })).event.event).toBe('subscriber.unsubscribed');
    expect(ok(normalise({ email: 'a@b.co', 'list status': 'inactive' })).event.event).toBe('subscriber.unsubscribed');
    const active = ok(normalise({ email: 'a@b.co', status: 'פעיל' }));
    expect(active.event.event).toBe('subscriber.updated');
    expect(active.event.subscriber.status).toEqual({ active: true, text: 'פעיל' });
  });

  it('subscriber event with message-like form fields › they stay personal fields', () => {
    const { event } = ok(normalise({ email: 'a@b.co', הודעה: 'אשמח שתחזרו אליי' }, { event: 'subscriber.joined' }));
    expect(event.message).toBeUndefined();
    expect(event.subscriber.personal_fields).toEqual({ הודעה: 'אשמח שתחזרו אליי' });
  });

  it('no email, phone or subscriber id › no_subscriber_identity', () => {
    expect(normalise({ name: 'דוד', city: 'x' })).toEqual({
      ok: false,
      error: { code: 'no_subscriber_identity', message: expect.any(String) },
    });
  });

  it('not an object › invalid_payload', () => {
    expect(normalise('hello')).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(normalise([{ email: 'a@b.co' }, { email: 'c@d.co' }])).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });

  it('impossible phone only › event kept with raw phone and no e164', () => {
    const { event } = ok(normalise({ phone: '12' }));
    expect(event.subscriber.phone).toBe('12');
    expect(event.subscriber.phone_e164).toBeUndefined();
  });

  it('user key `__proto__` › kept as a plain personal field', () => {
    const body = JSON.parse('{"email":"a@b.co","__proto__":{"polluted":true}}') as unknown;
    const { event } = ok(normalise(body));
    expect(Object.keys(event.subscriber.personal_fields)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('dedupe keys', () => {
  it('same body twice without time or id › same key (a re-delivery)', () => {
    const body = { email: 'a@b.co', message: 'היי' };
    expect(ok(normalise(body)).dedupeKey).toBe(ok(normalise({ ...body })).dedupeKey);
  });

  it('different content or time › different keys', () => {
    const a = ok(normalise({ email: 'a@b.co', message: 'היי', date: '2026-11-28 10:00' })).dedupeKey;
    const b = ok(normalise({ email: 'a@b.co', message: 'היי', date: '2026-11-28 10:01' })).dedupeKey;
    const c = ok(normalise({ email: 'a@b.co', message: 'שלום', date: '2026-11-28 10:00' })).dedupeKey;
    expect(new Set([a, b, c]).size).toBe(3);
    expect(a).toMatch(/^responder:loc1:h:[0-9a-f]{64}$/);
  });

  it('same body a day later without a time › a new key (outside the 24 h window)', () => {
    const body = { email: 'a@b.co', message: 'היי' };
    const later = normaliseResponderPayload({ body, query: {}, locationId: 'loc1', receivedAt: new Date(receivedAt.getTime() + 24 * 3600 * 1000) });
    expect(ok(later).dedupeKey).not.toBe(ok(normalise(body)).dedupeKey);
  });

  it('same event id › same key regardless of content; other location › other key', () => {
    expect(ok(normalise({ email: 'a@b.co', event_id: 'x1' })).dedupeKey).toBe(ok(normalise({ email: 'z@b.co', event_id: 'x1' })).dedupeKey);
    const other = normaliseResponderPayload({ body: { email: 'a@b.co', event_id: 'x1' }, query: {}, locationId: 'loc2', receivedAt });
    expect(ok(other).dedupeKey).toBe('responder:loc2:id:x1');
  });
});

describe('parseResponderBody', () => {
  it('parseResponderBody › NUL in JSON strings and keys, and in form fields › dropped', () => {
    const json = parseResponderBody(Buffer.from('{"ph\\u0000one":"05\\u00004","nested":{"t":["\\u0000x"]}}'), 'application/json');
    const form = parseResponderBody(Buffer.from('a%00=b%00c'), 'application/x-www-form-urlencoded');
    expect(json).toEqual({ ok: true, body: { phone: '054', nested: { t: ['x'] } } });
    expect(form).toEqual({ ok: true, body: { a: 'bc' } });
  });

  it('form-encoded Hebrew keys and values with + as space › decoded, then normalised', () => {
    const raw = Buffer.from(new URLSearchParams({ אימייל: 'a@b.co', 'שם מלא': 'דוד בן-גוריון', הודעה: 'שלום עולם' }).toString());
    expect(raw.toString()).toContain('+');
    const parsed = parseResponderBody(raw, 'application/x-www-form-urlencoded; charset=UTF-8');
    expect(parsed).toEqual({ ok: true, body: { אימייל: 'a@b.co', 'שם מלא': 'דוד בן-גוריון', הודעה: 'שלום עולם' } });
    const { event } = ok(normalise(parsed.ok ? parsed.body : null));
    expect(event.subscriber).toMatchObject({ first: 'דוד', last: 'בן-גוריון' });
    expect(event.message?.text).toBe('שלום עולם');
  });

  it('form with repeated tags[] keys › tags array', () => {
    const parsed = parseResponderBody(Buffer.from('email=a%40b.co&tags[]=x&tags[]=%D7%97%D7%9D'), 'application/x-www-form-urlencoded');
    const { event } = ok(normalise(parsed.ok ? parsed.body : null));
    expect(event.subscriber.tags).toEqual(['x', 'חם']);
  });

  it('text/plain containing JSON › parsed as JSON', () => {
    expect(parseResponderBody(Buffer.from('{"email":"a@b.co","text":"היי"}'), 'text/plain')).toEqual({
      ok: true,
      body: { email: 'a@b.co', text: 'היי' },
    });
  });

  it('JSON with a BOM and no content type › parsed', () => {
    expect(parseResponderBody(Buffer.from('\uFEFF{"email":"a@b.co"}'), undefined)).toEqual({ ok: true, body: { email: 'a@b.co' } });
  });

  it('empty, malformed JSON, garbage text, invalid UTF-8 › errors with codes', () => {
    expect(parseResponderBody(Buffer.alloc(0), 'application/json')).toMatchObject({ ok: false, error: { code: 'empty_body' } });
    expect(parseResponderBody(Buffer.from('{"email":'), 'application/json')).toMatchObject({ ok: false, error: { code: 'invalid_json' } });
    expect(parseResponderBody(Buffer.from('hello there'), 'text/plain')).toMatchObject({ ok: false, error: { code: 'unsupported_body' } });
    expect(parseResponderBody(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'application/json')).toMatchObject({
      ok: false,
      error: { code: 'invalid_encoding' },
    });
  });
});
