import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decryptSsoPayload, encryptSsoPayload, SsoPayloadError } from '../../../server/security/sso-crypto';

const KEY = 'test-shared-secret';

/*
 * Fixed vectors made independently of our code, with OpenSSL on this machine (CryptoJS's passphrase format is
 * OpenSSL's `enc` format, ghl-platform.md §3.2):
 *   printf '%s' '<json>' | openssl enc -aes-256-cbc -md md5 -salt -base64 -A -pass pass:test-shared-secret
 */
const LOCATION_VECTOR =
  'U2FsdGVkX18BmVVdc9ZpvybGqHPzYAXNzjRO17gNImiZaK3BCOJ8h8vpM1Y2m4Z8N14O31bw4FYEL9+KYmsoWzYXgW4pV0njce7dvnKqVHe17Qk9bBXl4miRpPEkr3ezbulAYF3X1DXy9xBFTRPwVPtSwfDbJ5WYg4GYQXceGJRHkkKHV1JsoX5Wis+/S7L+3eyH0fYCE7qE6UbBuUoFP0fSDaYDkki/5/TuRUcWENA=';
const AGENCY_VECTOR =
  'U2FsdGVkX1/kK+Wlff0YFcLmPvFSH3ktjOlg72gnJ58PoaaUwxi2S1XleZT7D1q9Ov/YrR6/qm/vhwVEaUYOrPx3fu6hdLJCZqfNwVPx/ApXRvkW5n8tssoUfwE41ZBFaYpR+hp/5PPWwvjNhqJPbE3PFscQHyFSx3LhUDaC4EhLFPtMBOGtvITwVxClBqnI';
const NOT_JSON_VECTOR = 'U2FsdGVkX18a28XONFy4TDo+cwAqAjcdxdaNIINLgJo=';

describe('decryptSsoPayload', () => {
  it('decryptSsoPayload › OpenSSL vector of a location context › every field, Hebrew name intact', () => {
    expect(decryptSsoPayload(LOCATION_VECTOR, KEY)).toEqual({
      userId: 'u_1',
      companyId: 'c_1',
      role: 'admin',
      type: 'agency',
      userName: 'דנה כהן',
      email: 'dana@example.com',
      activeLocation: 'loc_A',
    });
  });

  it('decryptSsoPayload › OpenSSL vector of an agency context › no activeLocation', () => {
    expect(decryptSsoPayload(AGENCY_VECTOR, KEY)).toEqual({
      userId: 'u_9',
      companyId: 'c_1',
      role: 'user',
      type: 'agency',
      userName: 'Agency Person',
      email: 'ag@example.com',
    });
  });

  it('decryptSsoPayload › wrong key › SsoPayloadError', () => {
    expect(() => decryptSsoPayload(LOCATION_VECTOR, 'another-apps-secret')).toThrow(SsoPayloadError);
  });

  it('decryptSsoPayload › one ciphertext byte flipped › SsoPayloadError', () => {
    const raw = Buffer.from(LOCATION_VECTOR, 'base64');
    for (const index of [16, 40, raw.length - 17, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[index] = tampered[index]! ^ 0x01;
      expect(() => decryptSsoPayload(tampered.toString('base64'), KEY), `byte ${index}`).toThrow(SsoPayloadError);
    }
  });

  it('decryptSsoPayload › decrypts but is not JSON › SsoPayloadError', () => {
    expect(() => decryptSsoPayload(NOT_JSON_VECTOR, KEY)).toThrow(/not JSON/);
  });

  it('decryptSsoPayload › not base64, no Salted__ header, truncated, empty › SsoPayloadError', () => {
    for (const bad of ['', '%%%not base64%%%', Buffer.from('{"userId":"x"}').toString('base64'), LOCATION_VECTOR.slice(0, 30)]) {
      expect(() => decryptSsoPayload(bad, KEY), bad).toThrow(SsoPayloadError);
    }
  });
});

describe('encryptSsoPayload', () => {
  it('encryptSsoPayload › round trip › same value, Hebrew byte for byte', () => {
    const value = { userId: 'u', userName: 'ישראל ישראלי \u200f', activeLocation: 'L', nested: { n: 1 } };
    const payload = encryptSsoPayload(value, KEY);
    expect(payload.startsWith('U2FsdGVkX1')).toBe(true);
    expect(decryptSsoPayload(payload, KEY)).toEqual(value);
  });

  it('encryptSsoPayload › two calls › different salts, both decrypt', () => {
    const a = encryptSsoPayload({ a: 1 }, KEY);
    const b = encryptSsoPayload({ a: 1 }, KEY);
    expect(a).not.toBe(b);
    expect(decryptSsoPayload(b, KEY)).toEqual({ a: 1 });
  });

  it('encryptSsoPayload › output › OpenSSL decrypts it to the same JSON', () => {
    const value = { userName: 'דנה', activeLocation: 'loc_A' };
    const plain = execFileSync(
      'openssl',
      ['enc', '-d', '-aes-256-cbc', '-md', 'md5', '-base64', '-A', '-pass', `pass:${KEY}`],
      { input: encryptSsoPayload(value, KEY), stdio: ['pipe', 'pipe', 'ignore'] },
    );
    expect(plain.toString('utf8')).toBe(JSON.stringify(value));
  });
});
