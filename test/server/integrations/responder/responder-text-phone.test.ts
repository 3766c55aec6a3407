import { describe, expect, it } from 'vitest';
import { normalisePhone, toResponderPhone } from '../../../../server/integrations/responder/responder-phone';
import { matchKey, splitName, stripBidi } from '../../../../server/integrations/responder/responder-text';

describe('normalisePhone', () => {
  it('normalisePhone › the same number again › the same answer, as a copy the caller may change', () => {
    const first = normalisePhone('054-1234567');
    first.e164 = 'changed';
    expect(normalisePhone('054-1234567')).toEqual({ raw: '054-1234567', e164: '+972541234567', national: '054-123-4567' });
    expect(normalisePhone('054-1234567', 'US').e164).not.toBe('+972541234567');
  });

  it.each(['054-1234567', '0541234567', '+972 54-123-4567', '00972541234567', '972541234567'])(
    'normalisePhone › Israeli mobile written as %s › +972541234567',
    (raw) => {
      const phone = normalisePhone(raw);
      expect(phone.e164).toBe('+972541234567');
      expect(phone.raw).toBe(raw);
      expect(phone.national).toBe('054-123-4567');
    },
  );

  it('normalisePhone › Israeli landline 03-7177777 › +97237177777', () => {
    expect(normalisePhone('03-7177777').e164).toBe('+97237177777');
  });

  it('normalisePhone › impossible number › raw kept and e164 null', () => {
    expect(normalisePhone(' 12 ')).toEqual({ raw: '12', e164: null, national: null });
    expect(normalisePhone('לא ידוע')).toEqual({ raw: 'לא ידוע', e164: null, national: null });
  });

  it('normalisePhone › bidi marks around the digits › still normalised, raw kept as sent', () => {
    const phone = normalisePhone('\u200E054-1234567\u200F');
    expect(phone.e164).toBe('+972541234567');
    expect(phone.raw).toBe('\u200E054-1234567\u200F');
  });

  it('normalisePhone › other default country › national number read in that country', () => {
    expect(normalisePhone('(212) 555-1234', 'US').e164).toBe('+12125551234');
  });

  it('toResponderPhone › Israeli E.164 › national digits; foreign › digits without plus', () => {
    expect(toResponderPhone('+972541234567')).toBe('0541234567');
    expect(toResponderPhone('054-123-4567')).toBe('0541234567');
    expect(toResponderPhone('+12125551234')).toBe('12125551234');
    expect(toResponderPhone('12')).toBe('12');
  });
});

describe('responder text helpers', () => {
  it('splitName › Hebrew name with hyphenated surname › first space splits, surname intact', () => {
    expect(splitName('דוד בן-גוריון')).toEqual({ first: 'דוד', last: 'בן-גוריון' });
  });

  it('splitName › three words › everything after the first space is the last name', () => {
    expect(splitName('  Mary Ann Smith ')).toEqual({ first: 'Mary', last: 'Ann Smith' });
  });

  it('splitName › one word › all first name', () => {
    expect(splitName('ישראל')).toEqual({ first: 'ישראל', last: '' });
  });

  it('stripBidi › every bidi control › removed, Hebrew letters untouched', () => {
    const marked = '\u200Fשלום\u200E \u202Aworld\u202C\u2066x\u2069\u061C';
    expect(stripBidi(marked)).toBe('שלום worldx');
  });

  it('matchKey › keys differing in case, bidi marks, separators and gershayim › the same key', () => {
    expect(matchKey('\u200FFirst_Name: ')).toBe('first name');
    expect(matchKey('first-name')).toBe('first name');
    expect(matchKey('דוא״ל')).toBe(matchKey('דוא"ל'));
    expect(matchKey(' מספר   טלפון ')).toBe('מספר טלפון');
  });

  it('stripBidi › display value › original string unchanged (only the copy is cleaned)', () => {
    const display = '\u200Fדוד\u200F';
    stripBidi(display);
    expect(display).toBe('\u200Fדוד\u200F');
  });
});
