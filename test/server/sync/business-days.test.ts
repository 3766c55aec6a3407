import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { businessDayAt, followUpDue, nextBusinessDayDue, wallClock, zoneOrDefault } from '../../../server/sync/business-days';

const TZ = 'Asia/Jerusalem';
const at = (iso: string) => DateTime.fromISO(iso, { zone: TZ }).toMillis();
const local = (ms: number | string) =>
  (typeof ms === 'string' ? DateTime.fromISO(ms) : DateTime.fromMillis(ms)).setZone(TZ).toFormat("ccc yyyy-MM-dd HH:mm ZZ");

describe('businessDayAt', () => {
  it('businessDayAt › Sunday to Wednesday › due the following day at the hour', () => {
    // 2026-06-07 is a Sunday.
    expect(local(businessDayAt(at('2026-06-07T09:00'), { hour: 10, timezone: TZ }).toMillis())).toBe(
      'Mon 2026-06-08 10:00 +03:00',
    );
    expect(local(businessDayAt(at('2026-06-10T23:30'), { hour: 10, timezone: TZ }).toMillis())).toBe(
      'Thu 2026-06-11 10:00 +03:00',
    );
  });

  it('businessDayAt › Thursday, Friday or Saturday › skips the weekend to Sunday', () => {
    for (const day of ['2026-06-11T15:00', '2026-06-12T08:00', '2026-06-13T22:00']) {
      expect(local(businessDayAt(at(day), { hour: 10, timezone: TZ }).toMillis())).toBe('Sun 2026-06-14 10:00 +03:00');
    }
  });

  it('businessDayAt › spring-forward week (DST starts Friday 2026-03-27) › Sunday 10:00 in summer time', () => {
    const due = businessDayAt(at('2026-03-26T12:00'), { hour: 10, timezone: TZ });
    expect(local(due.toMillis())).toBe('Sun 2026-03-29 10:00 +03:00');
    expect(due.toUTC().hour).toBe(7);
  });

  it('businessDayAt › autumn fall-back Sunday (2026-10-25) › 10:00 in winter time', () => {
    const due = businessDayAt(at('2026-10-22T18:00'), { hour: 10, timezone: TZ });
    expect(local(due.toMillis())).toBe('Sun 2026-10-25 10:00 +02:00');
    expect(due.toUTC().hour).toBe(8);
  });

  it('businessDayAt › an hour inside the spring-forward gap › moves forward, never earlier', () => {
    // Work days Mon..Sun so that Friday, the day of the gap, counts.
    const due = businessDayAt(at('2026-03-26T12:00'), { hour: 2, minute: 30, timezone: TZ, workDays: [1, 2, 3, 4, 5, 6, 7] });
    expect(due.toFormat('yyyy-MM-dd')).toBe('2026-03-27');
    expect(due.hour).toBeGreaterThanOrEqual(3);
  });

  it('businessDayAt › offset 0 on a Saturday › Sunday; offset 3 from Wednesday › Monday', () => {
    expect(local(businessDayAt(at('2026-06-13T09:00'), { hour: 9, timezone: TZ, offsetDays: 0 }).toMillis())).toBe(
      'Sun 2026-06-14 09:00 +03:00',
    );
    expect(local(businessDayAt(at('2026-06-10T09:00'), { hour: 9, timezone: TZ, offsetDays: 3 }).toMillis())).toBe(
      'Mon 2026-06-15 09:00 +03:00',
    );
  });

  it('businessDayAt › late Thursday evening UTC that is already Friday in Israel › Sunday', () => {
    // 2026-06-11T22:30Z is Friday 01:30 in Jerusalem.
    const due = businessDayAt(Date.parse('2026-06-11T22:30:00Z'), { hour: 10, timezone: TZ });
    expect(local(due.toMillis())).toBe('Sun 2026-06-14 10:00 +03:00');
  });

  it('nextBusinessDayDue › another zone › counted on that zone’s calendar, answered in UTC', () => {
    expect(nextBusinessDayDue(Date.parse('2026-06-12T12:00:00Z'), 9, 'America/New_York')).toBe('2026-06-14T13:00:00Z');
  });

  it('zoneOrDefault › unknown or missing zone › Asia/Jerusalem', () => {
    expect(zoneOrDefault('Mars/Olympus')).toBe(TZ);
    expect(zoneOrDefault(undefined)).toBe(TZ);
    expect(zoneOrDefault('Europe/London')).toBe('Europe/London');
  });
});

describe('followUpDue', () => {
  it('followUpDue › processed soon after a Thursday reply › Sunday at the hour', () => {
    const occurred = Date.parse('2026-06-11T13:30:00Z');
    expect(followUpDue(occurred, occurred + 60_000, 10, TZ)).toBe('2026-06-14T07:00:00Z');
  });

  it('followUpDue › replayed days later › next business day from now, never in the past', () => {
    const occurred = Date.parse('2026-06-11T13:30:00Z');
    const now = Date.parse('2026-06-16T12:00:00Z'); // Tuesday
    expect(followUpDue(occurred, now, 10, TZ)).toBe('2026-06-17T07:00:00Z');
  });

  it('followUpDue › event time in the future (producer clock skew) › counted from now', () => {
    const now = Date.parse('2026-06-07T09:00:00Z'); // Sunday
    expect(followUpDue(now + 3 * 86_400_000, now, 10, TZ)).toBe('2026-06-08T07:00:00Z');
  });
});

describe('wallClock', () => {
  it('matches luxon in the zone itself, minute by minute across 2026 DST changes (whole, half-hour and odd offsets)', () => {
    const around = (zone: string, utc: string) => {
      const mid = Date.parse(utc);
      for (let ms = mid - 3 * 3_600_000; ms <= mid + 3 * 3_600_000; ms += 60_000) {
        for (const at of [ms, ms + 59_999]) {
          const fast = wallClock(at, zone);
          const slow = DateTime.fromMillis(at, { zone });
          expect([fast.toISO(), fast.offset], `${zone} ${new Date(at).toISOString()}`).toEqual([slow.toISO(), slow.offset]);
        }
      }
    };
    around('Asia/Jerusalem', '2026-03-27T00:00:00Z'); // spring forward, 02:00 local
    around('Asia/Jerusalem', '2026-10-24T23:00:00Z'); // fall back, 02:00 local
    around('America/New_York', '2026-03-08T07:00:00Z');
    around('America/New_York', '2026-11-01T06:00:00Z');
    around('Australia/Lord_Howe', '2026-04-04T15:00:00Z'); // a 30-minute DST change
    around('Asia/Kathmandu', '2026-06-01T00:00:00Z'); // UTC+05:45, no DST
  });
});
