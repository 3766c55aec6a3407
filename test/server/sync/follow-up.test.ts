import { describe, expect, it } from 'vitest';
import type { ResponderEvent } from '../../../server/integrations/responder/responder-event';
import { followUpDecision, matchKeyword } from '../../../server/sync/follow-up';

function message(event: ResponderEvent['event'], m: Partial<NonNullable<ResponderEvent['message']>> = {}): ResponderEvent {
  return {
    schema: 'responder-live.event/v1',
    event,
    occurred_at: '2026-06-10T10:00:00+03:00',
    source: {},
    subscriber: { email: 'a@example.com', tags: [], personal_fields: {} },
    message: { channel: 'sms', direction: 'outbound', ...m },
  };
}

describe('follow-up', () => {
  it('followUpDecision › message.replied › needed as an inbound reply', () => {
    expect(followUpDecision(message('message.replied', { direction: 'inbound' }), [])).toEqual({
      needed: true,
      reason: 'inbound_reply',
    });
  });

  it('followUpDecision › message.received inbound vs outbound › only inbound counts as a reply', () => {
    expect(followUpDecision(message('message.received', { direction: 'inbound' }), []).needed).toBe(true);
    expect(followUpDecision(message('message.received', { direction: 'outbound' }), []).needed).toBe(false);
  });

  it('followUpDecision › sent message with a keyword › needed with that keyword', () => {
    const e = message('message.sent', { text: 'מצורפת הצעת מחיר לבקשתך' });
    expect(followUpDecision(e, ['הצעת מחיר'])).toEqual({ needed: true, reason: 'keyword', keyword: 'הצעת מחיר' });
  });

  it('followUpDecision › subscriber event or no keywords › not needed', () => {
    const sub = { ...message('subscriber.joined'), message: undefined };
    expect(followUpDecision(sub, ['x']).needed).toBe(false);
    expect(followUpDecision(message('message.opened', { text: 'price' }), []).needed).toBe(false);
  });

  it('matchKeyword › Hebrew prefixes ו/ה/ב/ש and a maqaf › whole word found', () => {
    expect(matchKeyword('ומה לגבי המחיר?', ['מחיר'])).toBe('מחיר');
    expect(matchKeyword('שאלה על ומהמחיר', ['מחיר'])).toBe('מחיר');
    expect(matchKeyword('אפשר לדבר ב-WhatsApp', ['whatsapp'])).toBe('whatsapp');
    expect(matchKeyword('אפשר לדבר ב־WhatsApp', ['whatsapp'])).toBe('whatsapp');
  });

  it('matchKeyword › keyword inside a longer word › no match', () => {
    expect(matchKeyword('מחירון מעודכן', ['מחיר'])).toBeUndefined();
    expect(matchKeyword('prices are up', ['price'])).toBeUndefined();
    expect(matchKeyword('overpriced', ['price'])).toBeUndefined();
  });

  it('matchKeyword › bidi marks, niqqud, case and gershayim › ignored for matching', () => {
    expect(matchKeyword('\u200Fמָחִיר\u200F בבקשה', ['מחיר'])).toBe('מחיר');
    expect(matchKeyword('Call me about the PRICE', ['Price'])).toBe('Price');
    expect(matchKeyword('שלחו לי דוא״ל', ['דוא"ל'])).toBe('דוא"ל');
    expect(matchKeyword('need   a\nquote', ['a quote'])).toBe('a quote');
  });

  it('matchKeyword › regex characters in a keyword › matched literally', () => {
    expect(matchKeyword('is C++ supported?', ['c++'])).toBe('c++');
    expect(matchKeyword('is C supported?', ['c++'])).toBeUndefined();
  });
});
