import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseOccurredAt, tryParseOccurredAt } from '../../../../server/integrations/responder/responder-time';

const received = new Date('2026-11-28T12:00:00Z');
const instant = (iso: string) => new Date(iso).getTime();

describe('parseOccurredAt', () => {
  it('parseOccurredAt › naive winter time › read as Israel time (+02:00)', () => {
    expect(parseOccurredAt('2026-11-28 14:05', received)).toBe('2026-11-28T14:05:00+02:00');
  });

  it('parseOccurredAt › naive summer time with seconds › +03:00', () => {
    expect(parseOccurredAt('2026-06-01 10:00:00', received)).toBe('2026-06-01T10:00:00+03:00');
  });

  it('parseOccurredAt › time inside the spring gap (2026-03-27 02:30) › shifted forward to 03:30 IDT', () => {
    const out = parseOccurredAt('2026-03-27 02:30', received);
    expect(out).toBe('2026-03-27T03:30:00+03:00');
    expect(instant(out)).toBe(instant('2026-03-27T00:30:00Z'));
  });

  it('parseOccurredAt › time inside the autumn overlap (2026-10-25 01:30) › the earlier instant (IDT)', () => {
    const out = parseOccurredAt('2026-10-25 01:30:00', received);
    expect(out).toBe('2026-10-25T01:30:00+03:00');
    expect(instant(out)).toBe(instant('2026-10-24T22:30:00Z'));
  });

  it('parseOccurredAt › hour after the overlap › the only instant (IST)', () => {
    expect(parseOccurredAt('2026-10-25 02:30', received)).toBe('2026-10-25T02:30:00+02:00');
  });

  it('parseOccurredAt › day-first Israeli date › read as Israel time', () => {
    expect(parseOccurredAt('27/03/2026 10:00', received)).toBe('2026-03-27T10:00:00+03:00');
  });

  it('parseOccurredAt › string with an offset or Z › same instant, offset kept', () => {
    expect(parseOccurredAt('2026-11-28T14:05:00+02:00', received)).toBe('2026-11-28T14:05:00+02:00');
    expect(instant(parseOccurredAt('2026-11-28T12:05:00Z', received))).toBe(instant('2026-11-28T12:05:00Z'));
  });

  it('parseOccurredAt › epoch seconds, epoch ms and digit strings › the same instant in Israel time', () => {
    const ms = instant('2026-11-28T12:05:00Z');
    expect(parseOccurredAt(ms / 1000, received)).toBe('2026-11-28T14:05:00+02:00');
    expect(parseOccurredAt(ms, received)).toBe('2026-11-28T14:05:00+02:00');
    expect(parseOccurredAt(String(ms / 1000), received)).toBe('2026-11-28T14:05:00+02:00');
  });

  it('parseOccurredAt › missing, garbage, impossible date, absurd epoch › the receive time', () => {
    for (const value of [undefined, null, '', 'אתמול', '2026-02-30 10:00', 5, { at: 1 }]) {
      expect(instant(parseOccurredAt(value, received))).toBe(received.getTime());
    }
    expect(tryParseOccurredAt('nonsense')).toBeNull();
  });

  it('tryParseOccurredAt › full ISO times with an offset › the same answer as reading them with Luxon', () => {
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    const iso = fc
      .record({
        year: fc.integer({ min: 1995, max: 2105 }),
        month: fc.integer({ min: 0, max: 13 }),
        day: fc.integer({ min: 0, max: 32 }),
        hour: fc.integer({ min: 0, max: 25 }),
        minute: fc.integer({ min: 0, max: 61 }),
        second: fc.integer({ min: 0, max: 61 }),
        fraction: fc.constantFrom('', '.000', '.120', '.999'),
        offset: fc.constantFrom('Z', '+03:00', '+02:00', '-05:00', '+05:45', '+14:00', '-12:00', '-00:00', '+15:00'),
      })
      .map((t) => `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${t.fraction}${t.offset}`);
    const withLuxon = (s: string) => {
      const dt = DateTime.fromISO(s, { setZone: true });
      const ms = dt.toMillis();
      return dt.isValid && ms >= Date.UTC(2000, 0, 1) && ms < Date.UTC(2100, 0, 1) ? dt.toISO({ suppressMilliseconds: true }) : null;
    };
    fc.assert(fc.property(iso, (s) => tryParseOccurredAt(s) === withLuxon(s)), { numRuns: 5_000 });
    expect(tryParseOccurredAt('2026-06-10T07:00:00.000Z')).toBe('2026-06-10T07:00:00Z');
    expect(tryParseOccurredAt('2026-02-29T07:00:00Z')).toBeNull();
  });
});
