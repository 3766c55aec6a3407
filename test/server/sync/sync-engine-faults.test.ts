import { afterEach, describe, expect, it } from 'vitest';
import type { ResponderEvent } from '../../../server/integrations/responder/responder-event';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness';
import { testDialects } from '../../support/test-db';

const LOCATIONS = 5;
const EVENTS_PER_LOCATION = 100;
const PEOPLE_PER_LOCATION = 25;
// GHL allows 100 per 10 s; scaled down so the test crosses many windows. Client limiter and simulator agree.
const LIMIT = { max: 25, windowMs: 500 };

interface Planned {
  person: number;
  event: ResponderEvent;
}

/** Event k of a location: the person's first event carries email and phone, later ones vary the identity. */
function plan(locationIndex: number): Planned[] {
  const seen = new Set<number>();
  const out: Planned[] = [];
  for (let k = 0; k < EVENTS_PER_LOCATION; k += 1) {
    const person = (k * 7) % PEOPLE_PER_LOCATION;
    const email = `p${person}.l${locationIndex}@example.com`;
    const phone = `+9725${String(locationIndex)}${String(person).padStart(7, '0')}`;
    const first = !seen.has(person);
    seen.add(person);
    const identity = first || k % 3 === 0 ? { email, phone_e164: phone, phone } : k % 3 === 1 ? { email } : { phone, phone_e164: phone };
    const type: ResponderEvent['event'] = k % 5 === 0 ? 'subscriber.updated' : k % 4 === 0 ? 'message.replied' : 'message.sent';
    out.push({
      person,
      event: {
        schema: 'responder-live.event/v1',
        event: type,
        event_id: `L${locationIndex}-E${k}`,
        occurred_at: new Date(Date.UTC(2026, 5, 10, 7, 0, k)).toISOString(),
        source: { list_name: k % 2 ? 'לקוחות' : 'מתעניינים' },
        subscriber: { ...identity, first: `שם${person}`, tags: [], personal_fields: {} },
        message:
          type === 'subscriber.updated'
            ? undefined
            : { channel: 'sms', direction: type === 'message.replied' ? 'inbound' : 'outbound', text: `הודעה ${k} ✓` },
      },
    });
  }
  return out;
}

describe.each(testDialects())('sync engine under GHL faults on %s', (dialect) => {
  let h: SyncHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it(
    'engine › 500 events, 5 locations, 10% 500s, 429 bursts, timeouts, token expiry › all done, nothing duplicated, limits held',
    async () => {
      h = await createSyncHarness(dialect, { rateLimit: LIMIT, timeoutMs: 1_000, concurrency: 16 });
      const harness = h;
      const locations: { id: string; planned: Planned[] }[] = [];
      for (let i = 0; i < LOCATIONS; i += 1) locations.push({ id: await h.addLocation(), planned: plan(i) });
      for (const loc of locations) {
        for (const { person, event } of loc.planned) {
          await h.inbox.insert({
            source: 'responder',
            locationId: loc.id,
            dedupeKey: `responder:${loc.id}:${event.event_id}`,
            eventType: event.event,
            // One person's events run in order, as the webhook route keys them.
            orderingKey: `responder:${loc.id}:p${person}`,
            payload: event,
            rawPayload: null,
            status: 'pending',
          });
        }
      }

      let random = 12345;
      const rng = () => {
        random = (random * 1103515245 + 12345) % 2 ** 31;
        return random / 2 ** 31;
      };
      h.sim.setFaults({ errorRate: 0.1, timeoutRate: 0.02, random: rng });
      // The simulator's 429s come in bursts ("the next N calls"); handing out one per 20 calls made keeps them
      // at about 5% of the traffic whatever the machine's speed. Tokens expire once, about midway.
      let expired = false;
      let burstsGiven = 0;
      const chaos = setInterval(() => {
        const calls = harness.sim.requests.length;
        const owed = Math.floor(calls / 20) - burstsGiven;
        if (owed > 0) {
          harness.sim.setFaults({ rateLimitBurst: owed });
          burstsGiven += owed;
        }
        if (!expired && calls > 900) {
          expired = true;
          harness.sim.expireAccessTokens();
        }
      }, 50);
      try {
        await h.settle(400);
      } finally {
        clearInterval(chaos);
      }
      h.sim.resetFaults();

      const counts = await h.inbox.countByStatus();
      expect(counts.done).toBe(LOCATIONS * EVENTS_PER_LOCATION);
      expect(expired).toBe(true);
      expect(h.tokens.refreshes).toBeGreaterThanOrEqual(1);
      const statuses = h.sim.requests.map((r) => r.status);
      expect(statuses.filter((s) => s === 500).length).toBeGreaterThan(50);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(20);
      expect(statuses.filter((s) => s === 0 || s === 401).length).toBeGreaterThan(0);

      for (const loc of locations) {
        expect(h.sim.peakWindowCount(loc.id)).toBeLessThanOrEqual(LIMIT.max);
        const contacts = h.sim.getContacts(loc.id);
        expect(contacts).toHaveLength(PEOPLE_PER_LOCATION);
        expect(new Set(contacts.map((c) => c.email)).size).toBe(PEOPLE_PER_LOCATION);
        for (const contact of contacts) {
          const person = Number(/^p(\d+)\./.exec(contact.email ?? '')?.[1]);
          const mine = loc.planned.filter((p) => p.person === person);
          const notes = h.sim.getNotes(contact.id);
          const tasks = h.sim.getTasks(contact.id);
          expect(notes).toHaveLength(mine.filter((p) => p.event.event.startsWith('message.')).length);
          expect(tasks).toHaveLength(mine.filter((p) => p.event.event === 'message.replied').length);
          const refs = notes.map((n) => /ref: (\S+)/.exec(n.body)?.[1]);
          expect(new Set(refs).size).toBe(notes.length);
          const lowerTags = contact.tags.map((t) => t.toLowerCase());
          expect(new Set(lowerTags).size).toBe(lowerTags.length);
        }
      }
    },
    900_000,
  );
});
