import { DateTime, FixedOffsetZone, IANAZone } from 'luxon';
import { DEFAULT_TIMEZONE } from './sync-settings';

/**
 * Israel's work week is Sunday to Thursday (responder-live.md §4.3). Luxon numbers weekdays ISO-style:
 * Monday = 1 … Sunday = 7.
 */
export const ISRAELI_WORK_WEEK: readonly number[] = [7, 1, 2, 3, 4];

export interface BusinessDayOptions {
  /** Local hour (0–23) of the due time. */
  hour: number;
  minute?: number;
  /** IANA zone of the location; an unknown zone falls back to Asia/Jerusalem. */
  timezone?: string | undefined;
  /** Business days after today: 1 = the next business day (the default); 0 = today if a business day. */
  offsetDays?: number;
  workDays?: readonly number[];
}

// luxon's isValidZone builds an Intl formatter on every call (a measurable share of the worker's CPU per event);
// a location has one zone, so the answer is remembered.
const zoneValidity = new Map<string, boolean>();

/** A valid IANA zone name, else Asia/Jerusalem. */
export function zoneOrDefault(timezone: string | null | undefined): string {
  if (!timezone) return DEFAULT_TIMEZONE;
  let valid = zoneValidity.get(timezone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(timezone);
    if (zoneValidity.size < 1_000) zoneValidity.set(timezone, valid);
  }
  return valid ? timezone : DEFAULT_TIMEZONE;
}

const offsets = new Map<string, number>();
const OFFSETS_MAX = 4_096;

/**
 * `ms` on `zone`'s wall clock, to read its fields and offset; not for arithmetic across a DST change (its zone is
 * the fixed offset of that moment). luxon asks Intl (formatToParts) for a zone's offset on every DateTime made in
 * that zone, several times per drained event (`npm run bench -- --profile`, drain). The offset is remembered per
 * zone and UTC minute: it changes only at a transition, and every transition since 1972 falls on a whole minute.
 */
export function wallClock(ms: number, zone: string): DateTime {
  const key = `${zone}|${Math.floor(ms / 60_000)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    offset = IANAZone.create(zone).offset(ms);
    if (offsets.size >= OFFSETS_MAX) offsets.delete(offsets.keys().next().value!);
    offsets.set(key, offset);
  }
  return DateTime.fromMillis(ms, { zone: FixedOffsetZone.instance(offset) });
}

/** businessDayAt's recent answers, by zone, local date and options. */
const dueDays = new Map<string, DateTime>();
const DUE_DAYS_MAX = 512;

/**
 * The `offsetDays`-th business day after `from` (Friday and Saturday skipped in Israel) at `hour` local time.
 * Days are counted on the local calendar, not in 24 h steps, so DST weeks land on the right wall-clock hour;
 * an hour that does not exist that day (spring-forward gap) moves forward, as luxon does.
 */
export function businessDayAt(from: Date | number, options: BusinessDayOptions): DateTime {
  const zone = zoneOrDefault(options.timezone);
  const workDays = options.workDays ?? ISRAELI_WORK_WEEK;
  if (workDays.length === 0) throw new Error('businessDayAt needs at least one work day');
  const ms = typeof from === 'number' ? from : from.getTime();
  // The answer depends on the local date only; each day step below costs luxon a zone lookup, and a location's
  // tasks are mostly due on the same few days.
  const key = `${zone}|${wallClock(ms, zone).toISODate() ?? ''}|${options.offsetDays ?? 1}|${options.hour}:${options.minute ?? 0}|${workDays.join()}`;
  const known = dueDays.get(key);
  if (known) return known;
  const due = dayAt(DateTime.fromMillis(ms, { zone }), workDays, options);
  if (dueDays.size >= DUE_DAYS_MAX) dueDays.delete(dueDays.keys().next().value!);
  dueDays.set(key, due);
  return due;
}

function dayAt(start: DateTime, workDays: readonly number[], options: BusinessDayOptions): DateTime {
  let day = start.startOf('day');
  let remaining = options.offsetDays ?? 1;
  if (remaining === 0) {
    while (!workDays.includes(day.weekday)) day = day.plus({ days: 1 });
  }
  while (remaining > 0) {
    day = day.plus({ days: 1 });
    if (workDays.includes(day.weekday)) remaining -= 1;
  }
  return day.set({ hour: options.hour, minute: options.minute ?? 0, second: 0, millisecond: 0 });
}

/** The next Israeli business day at `hour` in the location's zone, as the UTC ISO string GHL's task `dueDate` takes. */
export function nextBusinessDayDue(from: Date | number, hour: number, timezone?: string | null): string {
  return businessDayAt(from, { hour, timezone: timezone ?? undefined }).toUTC().toISO({ suppressMilliseconds: true })!;
}

/**
 * The next business day after the message (a reply on Thursday is due Sunday), but never in the past: an event
 * processed late (retries, a replay days later) is due the next business day from now instead.
 */
export function followUpDue(occurredAt: number, now: number, hour: number, timezone: string): string {
  const fromEvent = nextBusinessDayDue(Math.min(occurredAt, now), hour, timezone);
  return Date.parse(fromEvent) > now ? fromEvent : nextBusinessDayDue(now, hour, timezone);
}
