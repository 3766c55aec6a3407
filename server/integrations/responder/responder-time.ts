import { DateTime, IANAZone } from 'luxon';
import { stripBidi } from './responder-text';

/** Responder's naive local times ("2020-02-20 22:22", `created: "2026-06-01 10:00:00"`) are Israeli time (responder-live.md §4.3). */
export const RESPONDER_ZONE = 'Asia/Jerusalem';

const zone = IANAZone.create(RESPONDER_ZONE);

// Epochs outside this range are more likely ids or garbage than real times.
const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);

interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * The event time as ISO-8601 with an offset. Strings with an offset (or `Z`) keep it; naive strings
 * (`2026-03-27 02:30`, `2026-03-27T02:30:00`, `27/03/2026 10:00`) are Asia/Jerusalem wall time: a time inside the
 * spring-forward gap shifts forward, a time inside the autumn overlap takes the earlier instant. Numbers (and digit
 * strings) are epoch seconds or milliseconds. Anything missing or unreadable gives `receivedAt`.
 */
export function parseOccurredAt(value: unknown, receivedAt: Date): string {
  return tryParseOccurredAt(value) ?? format(DateTime.fromJSDate(receivedAt, { zone }));
}

/** Like parseOccurredAt, but null when the value is missing or unreadable (so callers know the time was derived). */
export function tryParseOccurredAt(value: unknown): string | null {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return null;
  const s = stripBidi(value).trim();
  if (s === '') return null;
  if (/^\d{9,13}(\.\d+)?$/.test(s)) return fromEpoch(Number(s));

  const canonical = canonicalIso(s);
  if (canonical !== undefined) return canonical;
  const withOffset = /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(s) && /\d[T ]\d/.test(s);
  if (withOffset) {
    const dt = DateTime.fromISO(s.replace(' ', 'T'), { setZone: true });
    return dt.isValid && inRange(dt.toMillis()) ? format(dt) : null;
  }
  const local = parseNaive(s);
  return local ? fromLocal(local) : null;
}

const CANONICAL_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{3})?(Z|[+-](\d{2}):\d{2})$/;

/**
 * The common case without Luxon (a third of a webhook's normalising time): a full ISO time with seconds and an
 * explicit offset, as `Date.prototype.toISOString` and most senders write it, comes back as it was, minus zero
 * milliseconds — exactly what the Luxon path gives (a property test holds them equal). Undefined: not that
 * form, or an edge (`-00:00`, offsets past ±14 h) left to Luxon.
 */
function canonicalIso(s: string): string | null | undefined {
  const m = CANONICAL_ISO.exec(s);
  if (!m || s.endsWith('-00:00') || (m[9] !== undefined && +m[9] > 14)) return undefined;
  const [year, month, day, hour, minute, second] = [+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return null;
  if (!inRange(Date.parse(s))) return null;
  return m[7] === '.000' ? s.replace('.000', '') : s;
}

function fromEpoch(n: number): string | null {
  if (!Number.isFinite(n)) return null;
  const ms = n < 1e11 ? n * 1000 : n;
  return inRange(ms) ? format(DateTime.fromMillis(Math.round(ms), { zone })) : null;
}

function parseNaive(s: string): LocalFields | null {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/.exec(s);
  // Israeli dates are day-first: 27/03/2026 or 27.03.2026.
  const dayFirst = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  let fields: LocalFields;
  if (iso) {
    fields = { year: +iso[1]!, month: +iso[2]!, day: +iso[3]!, hour: +(iso[4] ?? 0), minute: +(iso[5] ?? 0), second: +(iso[6] ?? 0) };
  } else if (dayFirst) {
    fields = {
      year: +dayFirst[3]!,
      month: +dayFirst[2]!,
      day: +dayFirst[1]!,
      hour: +(dayFirst[4] ?? 0),
      minute: +(dayFirst[5] ?? 0),
      second: +(dayFirst[6] ?? 0),
    };
  } else {
    return null;
  }
  const check = DateTime.fromObject(fields, { zone: 'utc' });
  return check.isValid ? fields : null;
}

/**
 * Wall time in Asia/Jerusalem → instant. Luxon resolves an ambiguous (overlap) time to the later offset, so every
 * offset the zone uses around that date is tried and the earliest instant whose wall time matches wins. No match
 * means the time falls in the DST gap; Luxon then shifts it forward by the gap, which is what we want.
 */
function fromLocal(f: LocalFields): string | null {
  const wallAsUtc = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  const day = 24 * 3600 * 1000;
  const offsets = new Set([zone.offset(wallAsUtc - day), zone.offset(wallAsUtc), zone.offset(wallAsUtc + day)]);
  const matches = [...offsets]
    .map((offsetMinutes) => wallAsUtc - offsetMinutes * 60_000)
    .filter((instant) => zone.offset(instant) * 60_000 === wallAsUtc - instant)
    .sort((a, b) => a - b);
  const instant = matches[0] ?? DateTime.fromObject(f, { zone }).toMillis();
  return inRange(instant) ? format(DateTime.fromMillis(instant, { zone })) : null;
}

function inRange(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_MS && ms < MAX_MS;
}

function format(dt: DateTime): string {
  return dt.toISO({ suppressMilliseconds: true }) ?? dt.toUTC().toISO()!;
}
