import { createGhlSimulator, type GhlSimulator } from '../server/sandbox/ghl-simulator/ghl-simulator';
import { benchEnv, profiled, startBenchChild, type BenchChild } from './bench-child';
import type { DrainReport } from './bench-protocol';
import { sleep } from './bench-stats';

/** GHL's limit shape (100 requests per window per location), with the 10 s window scaled down to 1 s. */
export const DRAIN_LIMIT = { max: 100, windowMs: 1_000 };
export const DRAIN_LOCATIONS = 5;
export const DRAIN_EVENTS = 2_000;
/** Contacts per location: 2,000 events over 200 contacts, 10 each. */
const CONTACTS_PER_LOCATION = 40;
const CLIENT_ID = 'benchapp-client';
const CLIENT_SECRET = 'bench-client-secret';
/** One event in five is an inbound reply (note + follow-up task); the rest are sent messages (note only). */
const REPLY_EVERY = 5;

export interface PhaseFigures {
  events: number;
  wallMs: number;
  ghlCalls: number;
  callsPerEvent: number;
  /** 429 answers the simulator gave (and the app's client counted). */
  rateLimited: number;
  appRateLimited: number;
  outcomes: Record<string, number>;
}

export interface DrainFigures extends PhaseFigures {
  /** The bench server's CPU time (worker, app, client; not the simulator) per event, ms. */
  serverCpuMsPerEvent: number;
  /** GHL calls needed ÷ (locations × max per window) × window. */
  minimumMs: number;
  /** The same floor for the busiest location alone. */
  busiestLocationMinimumMs: number;
  /** wallMs ÷ minimumMs. */
  ratio: number;
  callsByLocation: Record<string, number>;
  /** The most requests one location ever had inside one window (must stay ≤ max). */
  peakWindow: number;
}

export interface DrainReportOut {
  limit: { max: number; windowMs: number };
  locations: number;
  contacts: number;
  /** First event of each contact: resolution (search, create) plus the default rule. */
  newContacts: PhaseFigures;
  /** The measured phase: 2,000 events on known contacts. */
  known: DrainFigures;
  /** The bench server's environment, ready for the history bench (installed locations, a GHL simulator). */
  handoff: { child: BenchChild; sim: GhlSimulator; locationIds: string[]; closeSim: () => Promise<void> };
}

interface Person {
  locationId: string;
  locationIndex: number;
  index: number;
}

let seq = 0;

function event(p: Person, kind: 'reply' | 'sent'): string {
  seq += 1;
  const tag = `${p.locationId}-${p.index}`;
  return JSON.stringify({
    schema: 'responder-live.event/v1',
    event: kind === 'reply' ? 'message.received' : 'message.sent',
    event_id: `drain-${seq}`,
    occurred_at: new Date(Date.UTC(2026, 5, 10, 7, 0, 0) + seq * 1000).toISOString(),
    source: { account_id: 1000047, list_id: 101, list_name: 'מתעניינים' },
    subscriber: {
      // Responder's subscriber id is stable per subscriber (and per location here): a known contact's every key links.
      id: 70_000 + DRAIN_LOCATIONS * p.index + p.locationIndex,
      email: `p${tag}@example.co.il`,
      first: 'דנה',
      last: `לוי ${p.index}`,
      tags: [],
      personal_fields: {},
    },
    message: {
      id: `m-${seq}`,
      channel: kind === 'reply' ? 'sms' : 'email',
      direction: kind === 'reply' ? 'inbound' : 'outbound',
      subject: 'עדכון חודשי',
      text: kind === 'reply' ? `כן, אשמח לשמוע עוד (${seq})` : `שלום דנה, העדכון החודשי #${seq}`,
    },
  });
}

/**
 * Posts bodies to the webhook URLs, `parallel` at a time; every answer must be a stored, non-duplicate event. A 429
 * from the public webhook limit (50 per second per key, server/http/public-rate-limit.ts) is retried after its
 * Retry-After, as Responder does: the drain is measured on the stored inbox, not on how fast it was filled.
 */
async function post(items: { url: string; body: string }[], parallel = 16): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: parallel }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      let res: Response;
      for (;;) {
        res = await fetch(item.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: item.body });
        if (res.status !== 429) break;
        await res.arrayBuffer();
        await sleep(Number(res.headers.get('retry-after') ?? '1') * 1000);
      }
      const body = (await res.json()) as { ok?: boolean; duplicate?: boolean };
      if (res.status !== 200 || body.ok !== true || body.duplicate) {
        throw new Error(`webhook not stored: ${res.status} ${JSON.stringify(body)}`);
      }
    }
  });
  await Promise.all(workers);
}

function apiCallsSince(sim: GhlSimulator, from: number): { total: number; byLocation: Record<string, number>; rateLimited: number } {
  const byLocation: Record<string, number> = {};
  let total = 0;
  let rateLimited = 0;
  for (const r of sim.requests) {
    if (r.at < from || r.path.startsWith('/oauth')) continue;
    total += 1;
    if (r.status === 429) rateLimited += 1;
    const key = r.resourceId ?? 'unknown';
    byLocation[key] = (byLocation[key] ?? 0) + 1;
  }
  return { total, byLocation, rateLimited };
}

function phase(events: number, report: DrainReport, calls: { total: number; rateLimited: number }): PhaseFigures {
  return {
    events,
    wallMs: report.wallMs,
    ghlCalls: calls.total,
    callsPerEvent: Math.round((calls.total / events) * 100) / 100,
    rateLimited: calls.rateLimited,
    appRateLimited: report.rateLimited,
    outcomes: report.outcomes,
  };
}

/**
 * 2,000 Responder events over 5 locations against the GHL simulator (100 requests per 1 s window per location),
 * run by the real worker and services in the bench server process, the limiter set to the same window through
 * GHL_RATE_LIMIT_MAX / GHL_RATE_LIMIT_WINDOW_MS. The contacts are made known first (one inbound reply and one sent
 * message each, untimed except for the figures of the first), so the timed phase measures the default rule on
 * known contacts. Events are stored through the webhook route while the worker is stopped, then drained.
 */
export async function runDrainBench(log: (line: string) => void): Promise<DrainReportOut> {
  const sim = createGhlSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, rateLimit: DRAIN_LIMIT });
  const simServer = await sim.listen();
  const { env, dbFile } = benchEnv({
    GHL_CLIENT_ID: CLIENT_ID,
    GHL_CLIENT_SECRET: CLIENT_SECRET,
    GHL_API_BASE_URL: simServer.url,
    GHL_RATE_LIMIT_MAX: String(DRAIN_LIMIT.max),
    GHL_RATE_LIMIT_WINDOW_MS: String(DRAIN_LIMIT.windowMs),
    ROLE: 'all',
  });
  const child = await startBenchChild(env, dbFile);
  try {
    const company = sim.addCompany({ name: 'Bench Agency' });
    const locationIds: string[] = [];
    const urls = new Map<string, string>();
    for (let i = 0; i < DRAIN_LOCATIONS; i++) {
      const location = sim.addLocation({ companyId: company.id, name: `Bench ${i + 1}`, timezone: 'Asia/Jerusalem' });
      sim.addUser(location.id, { role: 'admin' });
      const code = sim.createAuthCode({ userType: 'Location', companyId: company.id, locationId: location.id });
      await child.call('install', { code });
      const { webhookKey } = await child.call('connect', { locationId: location.id });
      urls.set(location.id, `${child.appUrl}/webhooks/responder/${webhookKey}`);
      locationIds.push(location.id);
    }
    const people: Person[] = locationIds.flatMap((locationId, locationIndex) =>
      Array.from({ length: CONTACTS_PER_LOCATION }, (_, index) => ({ locationId, locationIndex, index })),
    );
    const urlOf = (p: Person) => urls.get(p.locationId)!;

    log(`  seeding ${people.length} contacts (one inbound reply each, then one sent message each)`);
    let from = Date.now();
    await post(people.map((p) => ({ url: urlOf(p), body: event(p, 'reply') })));
    const firstReport = await child.call('drain', { expected: people.length, timeoutMs: 120_000 });
    const newContacts = phase(people.length, firstReport, apiCallsSince(sim, from));
    await post(people.map((p) => ({ url: urlOf(p), body: event(p, 'sent') })));
    await child.call('drain', { expected: people.length, timeoutMs: 120_000 });

    // Timed phase: 10 events per contact, interleaved across contacts and locations as they would arrive.
    const items: { url: string; body: string }[] = [];
    for (let round = 0; items.length < DRAIN_EVENTS; round++) {
      for (const p of people) {
        if (items.length >= DRAIN_EVENTS) break;
        items.push({ url: urlOf(p), body: event(p, (round + p.index) % REPLY_EVERY === 0 ? 'reply' : 'sent') });
      }
    }
    await post(items);
    // Let the seed phase's calls leave the window, so the timed phase starts with the full budget.
    await sleep(DRAIN_LIMIT.windowMs * 1.5);
    log(`  draining ${items.length} events over ${DRAIN_LOCATIONS} locations (limit ${DRAIN_LIMIT.max} per ${DRAIN_LIMIT.windowMs} ms)`);
    from = Date.now();
    const cpuBefore = await child.call('cpu', {});
    const report = await profiled(child, 'drain', () => child.call('drain', { expected: items.length, timeoutMs: 150_000 }));
    const cpuAfter = await child.call('cpu', {});
    const calls = apiCallsSince(sim, from);
    // The floor: calls needed ÷ (locations × max per window). Locations carry equal work here, so this
    // matches the busiest location's own floor (kept beside it).
    const minimumMs = (calls.total / (DRAIN_LOCATIONS * DRAIN_LIMIT.max)) * DRAIN_LIMIT.windowMs;
    const busiest = Math.max(...Object.values(calls.byLocation));
    const known: DrainFigures = {
      ...phase(items.length, report, calls),
      serverCpuMsPerEvent:
        Math.round(((cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1000 / items.length) * 100) / 100,
      minimumMs: Math.round(minimumMs),
      busiestLocationMinimumMs: Math.round((busiest / DRAIN_LIMIT.max) * DRAIN_LIMIT.windowMs),
      ratio: Math.round((report.wallMs / minimumMs) * 1000) / 1000,
      callsByLocation: calls.byLocation,
      peakWindow: Math.max(...locationIds.map((id) => sim.peakWindowCount(id))),
    };
    return {
      limit: DRAIN_LIMIT,
      locations: DRAIN_LOCATIONS,
      contacts: people.length,
      newContacts,
      known,
      handoff: { child, sim, locationIds, closeSim: () => simServer.close() },
    };
  } catch (err) {
    await child.stop();
    await simServer.close();
    throw err;
  }
}
