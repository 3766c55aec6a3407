import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { InboxEventRow } from '../../../server/db/schema';
import { createGhlSimulator } from '../../../server/sandbox/ghl-simulator/ghl-simulator';
import { createTestDb, type TestDb } from '../../support/test-db';
import { createTestServices } from '../../support/test-services';
import { freePort, startAppProcess, waitUntil, type AppProcess } from './app-process';

const CLIENT_ID = 'scaleapp-client';
/**
 * GHL's shape (100 per 10 s per location) scaled down: 5 locations × 10 per second is less than two workers of
 * 16 slots ask for, so on an ordinary machine the limit binds and the processes must share it.
 */
const RATE_LIMIT = { max: 10, windowMs: 1_000 };
const LOCATIONS = 5;
const CONTACTS_PER_LOCATION = 20;
const EVENTS = 1_000;
const SEND_CONCURRENCY = 16;
/**
 * Deadlines only turn a stuck run into a message naming the phase and each process's last lines; nothing is
 * asserted on speed. Generous, since a loaded machine slows the five processes a lot (~30 s on a quiet one).
 */
const DEADLINE_MS = 180_000;

interface Delivery {
  index: number;
  status: number;
  body: { ok?: boolean; eventId?: string; duplicate?: boolean };
}

/** A canonical Responder Live event (responder-live.md §5.3): an outbound email, so no follow-up task. */
function responderEvent(index: number) {
  const location = index % LOCATIONS;
  const contact = Math.floor(index / LOCATIONS) % CONTACTS_PER_LOCATION;
  return {
    location,
    body: {
      schema: 'responder-live.event/v1',
      event: 'message.sent',
      event_id: `scale-${index}`,
      occurred_at: new Date(Date.UTC(2026, 10, 1, 8, 0, 0) + index * 1000).toISOString(),
      source: { list_id: 7, list_name: 'Scale' },
      subscriber: { email: `sub${contact}@loc${location}.example.com`, first: 'Sub', last: `No ${contact}` },
      message: { channel: 'email', direction: 'outbound', subject: `Newsletter ${index}`, text: `Issue ${index}` },
    },
  };
}

/** Runs `jobs` with at most `limit` at once. */
async function inParallel(jobs: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) await jobs[next++]!();
    }),
  );
}

/**
 * Issue 7 scale-out: 2 web and 2 worker processes of the real app against one PostgreSQL schema and the GHL
 * simulator. Runs in the PostgreSQL suite (`npm run test:pg`, which CI runs with TEST_DATABASE_URL set).
 */
describe.runIf(!!process.env.TEST_DATABASE_URL)('scale-out on PostgreSQL', () => {
  let db: TestDb | undefined;
  const closers: (() => Promise<void>)[] = [];
  const processes: AppProcess[] = [];
  afterEach(async () => {
    for (const p of processes) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
    await Promise.all(processes.splice(0).map((p) => p.exited));
    for (const close of closers.splice(0)) await close();
    await db?.destroy();
    db = undefined;
  });

  it('2 web + 2 worker processes › 1,000 events with duplicates, one worker SIGTERMed, one SIGKILLed › each event once, one refresh per location, the limit held', async () => {
    // Arrange: the simulator with a scaled-down window; locations installed through the real OAuth path.
    db = await createTestDb('postgres');
    const clientSecret = `scale-secret-${randomBytes(8).toString('hex')}`;
    const sim = createGhlSimulator({ clientId: CLIENT_ID, clientSecret, rateLimit: RATE_LIMIT });
    const simServer = await sim.listen();
    closers.push(simServer.close);
    const baseEnv = {
      GHL_CLIENT_ID: CLIENT_ID,
      GHL_CLIENT_SECRET: clientSecret,
      GHL_SSO_KEY: `sso-${randomBytes(12).toString('hex')}`,
      APP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SESSION_SECRET: randomBytes(24).toString('hex'),
      GHL_API_BASE_URL: simServer.url,
      GHL_RATE_LIMIT_MAX: String(RATE_LIMIT.max),
      GHL_RATE_LIMIT_WINDOW_MS: String(RATE_LIMIT.windowMs),
      DATABASE_URL: db.url,
    };
    const services = createTestServices(db, baseEnv);
    const company = sim.addCompany();
    const locationIds: string[] = [];
    const webhookKeys: string[] = [];
    for (let i = 0; i < LOCATIONS; i++) {
      const location = sim.addLocation({ companyId: company.id, name: `Scale ${i}` });
      const code = sim.createAuthCode({ userType: 'Location', companyId: company.id, locationId: location.id });
      const token = await services.oauth.exchangeCode({ code, redirectUri: 'http://127.0.0.1/oauth/callback', userType: 'Location' });
      await services.installs.storeExchangedToken(token);
      locationIds.push(location.id);
      webhookKeys.push(await services.connections.ensureWebhookKey(location.id));
    }

    const start = async (name: string, role: 'web' | 'worker') => {
      const port = await freePort();
      const p = startAppProcess(name, {
        ...baseEnv,
        ROLE: role,
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        LOG_LEVEL: 'info',
        WORKER_POLL_MS: '50',
        WORKER_LEASE_MS: '3000',
        WORKER_CONCURRENCY: '16',
      });
      processes.push(p);
      return { p, url: `http://127.0.0.1:${port}` };
    };
    const webs = [await start('web-1', 'web'), await start('web-2', 'web')];
    const w1 = (await start('worker-1', 'worker')).p;
    const w2 = (await start('worker-2', 'worker')).p;
    await Promise.all(webs.map((w) => w.p.waitForOutput('"msg":"listening"')));

    const inbox = () =>
      db!.kysely.selectFrom('inbox_events').select(['id', 'status', 'lease_owner', 'attempts']).execute();
    const ownedBy = <R extends Pick<InboxEventRow, 'lease_owner' | 'status'>>(rows: R[], p: AppProcess): R[] =>
      rows.filter((r) => r.status === 'processing' && r.lease_owner?.includes(`:${p.pid}:`));
    const counts = async () => {
      const rows = await inbox();
      const by = (s: string) => rows.filter((r) => r.status === s).length;
      return { rows, total: rows.length, done: by('done'), unfinished: by('pending') + by('failed') + by('processing') };
    };
    const describeRun = async () => {
      const c = await counts();
      const states = processes.map((p) => `--- ${p.name} (pid ${p.pid}, exit ${p.proc.exitCode ?? p.proc.signalCode})\n${p.tail(8)}`);
      return `total ${c.total}, done ${c.done}, unfinished ${c.unfinished}\n${states.join('\n')}`;
    };

    // Every access token the app holds is now expired at GHL: the first call per location must refresh.
    sim.expireAccessTokens();

    // Act: 1,000 events alternating between the web processes; ~10% sent again, half of those at the same
    // moment to the other web process, half a little later.
    const deliveries: Delivery[] = [];
    const post = async (index: number, web: number) => {
      const { location, body } = responderEvent(index);
      const res = await fetch(`${webs[web]!.url}/webhooks/responder/${webhookKeys[location]}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      deliveries.push({ index, status: res.status, body: (await res.json()) as Delivery['body'] });
    };
    const jobs: (() => Promise<void>)[] = [];
    const later: number[] = [];
    for (let i = 0; i < EVENTS; i++) {
      if (i % 20 === 3) jobs.push(() => Promise.all([post(i, i % 2), post(i, (i + 1) % 2)]).then(() => undefined));
      else jobs.push(() => post(i, i % 2));
      if (i % 20 === 13) later.push(i);
      if (i % 50 === 49) for (const j of later.splice(0)) jobs.push(() => post(j, (j + 1) % 2));
    }
    for (const j of later.splice(0)) jobs.push(() => post(j, (j + 1) % 2));
    // Settled either way, so a failure elsewhere never leaves its rejection unhandled.
    const sent = inParallel(jobs, SEND_CONCURRENCY).then(
      () => undefined,
      (err: unknown) => err,
    );

    // SIGTERM worker-1 while it holds events: it must finish them and exit 0.
    let termClaimed: string[] = [];
    await waitUntil(
      async () => {
        const c = await counts();
        termClaimed = ownedBy(c.rows, w1).map((r) => r.id);
        return c.done >= EVENTS * 0.15 && termClaimed.length > 0;
      },
      async () => `worker-1 mid-work: ${await describeRun()}`,
      DEADLINE_MS,
    );
    w1.proc.kill('SIGTERM');
    const w1Exit = await w1.exited;
    const afterTerm = await inbox();
    // A replacement, as an orchestrator would start one.
    const w3 = (await start('worker-3', 'worker')).p;

    // SIGKILL worker-2 while it holds events: worker-3 takes its leases over once they expire.
    await waitUntil(
      // Several held, so it still holds some when the signal lands a moment after this look.
      async () => (await counts()).done >= EVENTS * 0.4 && ownedBy(await inbox(), w2).length >= 4,
      async () => `worker-2 mid-work: ${await describeRun()}`,
      DEADLINE_MS,
    );
    w2.proc.kill('SIGKILL');
    const w2Exit = await w2.exited;
    const orphans = ownedBy(await inbox(), w2).map((r) => r.id);

    expect(await sent).toBeUndefined();
    await waitUntil(
      async () => {
        const c = await counts();
        return c.total === EVENTS && c.unfinished === 0;
      },
      async () => `inbox drained: ${await describeRun()}`,
      DEADLINE_MS,
    );
    const stopping = [w3, ...webs.map((w) => w.p)];
    for (const p of stopping) p.proc.kill('SIGTERM');
    const stopped = await Promise.all(stopping.map((p) => p.exited));

    // Assert: deliveries.
    expect(deliveries).toHaveLength(EVENTS + EVENTS / 10);
    expect(deliveries.filter((d) => d.status !== 200 || d.body.ok !== true)).toEqual([]);
    expect(deliveries.filter((d) => d.body.duplicate)).toHaveLength(EVENTS / 10);
    const idsByIndex = new Map<number, Set<string>>();
    for (const d of deliveries) idsByIndex.set(d.index, (idsByIndex.get(d.index) ?? new Set()).add(d.body.eventId!));
    expect([...idsByIndex.values()].filter((ids) => ids.size !== 1)).toEqual([]);

    // Each distinct event stored once and processed: done.
    const rows = await db.kysely.selectFrom('inbox_events').selectAll().execute();
    expect(rows).toHaveLength(EVENTS);
    expect(rows.filter((r) => r.status !== 'done').map((r) => [r.id, r.status, r.last_error])).toEqual([]);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set([...idsByIndex.values()].flatMap((ids) => [...ids])));

    // GHL received exactly one note per event (each names its inbox event), and one contact per subscriber.
    const refs = new Map<string, number>();
    for (const locationId of locationIds) {
      const contacts = sim.getContacts(locationId);
      expect(contacts).toHaveLength(CONTACTS_PER_LOCATION);
      for (const contact of contacts) {
        for (const note of sim.getNotes(contact.id)) {
          // `ref: <inbox event id>`, or `ref: <inbox event id>/<rule step>` for a note a rule's action wrote.
          const ref = /ref: ([^\s/]+)/.exec(note.body)?.[1] ?? '(none)';
          refs.set(ref, (refs.get(ref) ?? 0) + 1);
        }
      }
    }
    expect(refs.size).toBe(EVENTS);
    expect([...refs].filter(([, n]) => n !== 1)).toEqual([]);
    const rowIds = new Set(rows.map((r) => r.id));
    expect([...refs.keys()].filter((ref) => !rowIds.has(ref))).toEqual([]);

    // One token refresh per location across all processes; the per-location window held, no 429.
    expect(sim.stats.refreshes).toBe(LOCATIONS);
    for (const locationId of locationIds) expect(sim.peakWindowCount(locationId)).toBeLessThanOrEqual(RATE_LIMIT.max);
    expect(sim.stats.rateLimited).toBe(0);

    // SIGTERM: worker-1 finished what it held (nothing left in its name) and exited 0.
    expect(w1Exit).toEqual({ code: 0, signal: null });
    expect(termClaimed.length).toBeGreaterThan(0);
    expect(ownedBy(afterTerm, w1)).toEqual([]);
    const termRows = rows.filter((r) => termClaimed.includes(r.id));
    expect(termRows.map((r) => r.status)).toEqual(termClaimed.map(() => 'done'));

    // SIGKILL: worker-2 died holding leases; worker-3 took each over (a takeover counts an attempt) and finished.
    expect(w2Exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(orphans.length).toBeGreaterThan(0);
    const orphanRows = rows.filter((r) => orphans.includes(r.id));
    expect(orphanRows.map((r) => r.status)).toEqual(orphans.map(() => 'done'));
    expect(orphanRows.filter((r) => r.attempts < 1)).toEqual([]);

    // The remaining processes shut down cleanly.
    expect(stopped).toEqual(stopping.map(() => ({ code: 0, signal: null })));
  }, 480_000);
});
