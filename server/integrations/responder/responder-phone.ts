import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { RecentAnswers } from '../../recent-answers';
import { stripBidi } from './responder-text';

export type { CountryCode };

export interface NormalisedPhone {
  /** The value as received (trimmed); kept even when it cannot be normalised (SPEC §3: never dropped). */
  raw: string;
  /** E.164 (`+972541234567`) when the number is possible for its country, else null. */
  e164: string | null;
  /** National format (`054-123-4567`) when normalised, else null. */
  national: string | null;
}

// The same subscribers come back message after message, and parsing is the dearest step of normalising a webhook.
const recentPhones = new RecentAnswers<NormalisedPhone>(5_000, 80);

/**
 * Normalises a phone with libphonenumber-js (`max` metadata), default country IL.
 * Uses `isPossible()`, not `isValid()`: Israeli blocks such as 054-1234567 are unallocated yet real-looking and
 * Responder accepts them (responder-live.md §4.1). International forms without `+` (`972…`, `00972…`) are accepted.
 */
export function normalisePhone(raw: string, defaultCountry: CountryCode = 'IL'): NormalisedPhone {
  // A copy: the caller may change its answer.
  return { ...recentPhones.get(`${defaultCountry}:${raw}`, () => parse(raw, defaultCountry)) };
}

function parse(raw: string, defaultCountry: CountryCode): NormalisedPhone {
  const value = stripBidi(raw).trim();
  const result: NormalisedPhone = { raw: raw.trim(), e164: null, national: null };
  if (!/\d/.test(value)) return result;
  for (const candidate of candidates(value)) {
    const parsed = parsePhoneNumberFromString(candidate, defaultCountry);
    if (parsed?.isPossible()) {
      result.e164 = parsed.number;
      result.national = parsed.formatNational();
      return result;
    }
  }
  return result;
}

/** The forms worth trying, most literal first: as given, `00` international prefix, and digits that start with a country code. */
function candidates(value: string): string[] {
  const out = [value];
  const digits = value.replace(/\D/g, '');
  if (!value.startsWith('+')) {
    if (digits.startsWith('00')) out.push(`+${digits.slice(2)}`);
    else if (!digits.startsWith('0') && digits.length >= 11) out.push(`+${digits}`);
  }
  return out;
}

/**
 * The phone as Responder wants it: Israeli numbers as national digits (`0541234567`, the format of Responder's own
 * examples), others as international digits without `+` (the official plugin strips non-digits, §1.3).
 */
export function toResponderPhone(e164OrRaw: string): string {
  const normalised = normalisePhone(e164OrRaw);
  if (!normalised.e164) return e164OrRaw.replace(/\D/g, '');
  if (normalised.e164.startsWith('+972')) return `0${normalised.e164.slice(4)}`;
  return normalised.e164.slice(1);
}
