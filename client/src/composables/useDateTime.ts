import { computed } from 'vue';
import { useI18n } from 'vue-i18n';
import { useSessionStore } from '../stores/session-store';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Formats an ISO time in `timeZone` for `locale`; an unknown zone falls back to the browser's own. */
export function formatInZone(
  iso: string,
  locale: string,
  timeZone: string | undefined,
  style: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' },
): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const cacheKey = `${locale}|${timeZone ?? ''}|${JSON.stringify(style)}`;
  let formatter = formatters.get(cacheKey);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat(locale, { ...style, timeZone });
    } catch {
      formatter = new Intl.DateTimeFormat(locale, style);
    }
    formatters.set(cacheKey, formatter);
  }
  return formatter.format(date);
}

/** Date/time formatting in the session location's time zone and the panel's current language. */
export function useDateTime() {
  const { locale } = useI18n();
  const session = useSessionStore();
  const timeZone = computed(() => session.location?.timezone);
  return {
    timeZone,
    dateTime: (iso: string) => formatInZone(iso, locale.value, timeZone.value),
    date: (iso: string) => formatInZone(iso, locale.value, timeZone.value, { dateStyle: 'medium' }),
  };
}

function wallClockParts(epochMs: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(epochMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const p = wallClockParts(epochMs, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(epochMs / 1000) * 1000;
}

/**
 * Converts a wall-clock value from `<input type="datetime-local">` (`2024-05-01T10:00`) in `timeZone` to an ISO
 * instant. Two passes settle the offset across a DST change. Unknown zones fall back to the browser's zone.
 */
export function zonedLocalToIso(local: string, timeZone: string | undefined): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  if (!timeZone) return new Date(y, mo - 1, d, h, mi).toISOString();
  try {
    let guess = asUtc - zoneOffsetMs(asUtc, timeZone);
    guess = asUtc - zoneOffsetMs(guess, timeZone);
    return new Date(guess).toISOString();
  } catch {
    return new Date(y, mo - 1, d, h, mi).toISOString();
  }
}

/** `YYYY-MM-DDTHH:00` for `daysAhead` days from now at `hour`, in `timeZone`: a default for datetime-local inputs. */
export function localInputValue(daysAhead: number, hour: number, timeZone: string | undefined, now = Date.now()): string {
  let p: { year: number; month: number; day: number };
  try {
    p = timeZone ? wallClockParts(now, timeZone) : wallClockParts(now, Intl.DateTimeFormat().resolvedOptions().timeZone);
  } catch {
    const d = new Date(now);
    p = { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate() };
  }
  const day = new Date(Date.UTC(p.year, p.month - 1, p.day + daysAhead));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}T${pad(hour)}:00`;
}
