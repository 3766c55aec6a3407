import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import fs from 'node:fs';
import { parseConfig } from '../server/config';
import { buildServices } from '../server/container';
import { migrateToLatest } from '../server/db/migrate';
import { createLogger } from '../server/logger';
import { InboxWorker } from '../server/jobs/inbox-worker';
import { createGhlSimulator } from '../server/sandbox/ghl-simulator/ghl-simulator';
import { normaliseResponderPayload } from '../server/integrations/responder/responder-normaliser';
import { orderingKeyFor } from '../server/webhooks/responder-webhook-route';
const conn = new SQLite(`/tmp/zz-drain-${Date.now()}.db`);
if (process.argv[2] === 'cache') { const orig = conn.prepare.bind(conn); const cache = new Map<string, any>(); (conn as any).prepare = (q: string) => { let st = cache.get(q); if (!st) { st = orig(q); cache.set(q, st); } return st; }; console.log('stmt cache on'); }
conn.pragma('journal_mode = WAL'); conn.pragma('synchronous = NORMAL'); conn.pragma('foreign_keys = ON');
const stats = new Map<string, { n: number; ms: number }>();
let logOn = false;
const kysely = new Kysely<any>({ dialect: new SqliteDialect({ database: conn }), log: (e) => { if (!logOn) return; const k = e.query.sql.replace(/\s+/g, ' ').slice(0, 90); const s = stats.get(k) ?? { n: 0, ms: 0 }; s.n++; s.ms += e.queryDurationMillis; stats.set(k, s); } });
const db = { kysely, dialect: 'sqlite' as const, close: () => kysely.destroy() };
await migrateToLatest(db);
const sim = createGhlSimulator({ clientId: 'b-c', clientSecret: 's', rateLimit: { max: 100, windowMs: 1000 } });
const srv = await sim.listen();
const config = parseConfig({ GHL_CLIENT_ID: 'b-c', GHL_CLIENT_SECRET: 's', GHL_SSO_KEY: 'x', APP_ENCRYPTION_KEY: randomBytes(32).toString('base64'), SESSION_SECRET: 'x'.repeat(20), DATABASE_URL: 'sqlite:/tmp/ignored.db', GHL_API_BASE_URL: srv.url, GHL_RATE_LIMIT_MAX: '100', GHL_RATE_LIMIT_WINDOW_MS: '1000' });
const logger = createLogger('info', fs.createWriteStream('/dev/null'));
import { LocalRateLimiter } from '../server/integrations/ghl/ghl-rate-limiter';
const inner = new LocalRateLimiter(config.ghl.rateLimit);
const waits: number[] = [];
const limiter = { acquire: async (k: string) => { const t = performance.now(); await inner.acquire(k); if (logOn) waits.push(performance.now() - t); }, observe: (k: string, i: any) => inner.observe(k, i) };
const s = buildServices(config, logger, db, { limiter });
const durs: number[] = [];
let inflightSamples: number[] = [];
const company = sim.addCompany();
const locs: string[] = [];
for (let i = 0; i < 5; i++) { const l = sim.addLocation({ companyId: company.id, timezone: 'Asia/Jerusalem' }); const code = sim.createAuthCode({ userType: 'Location', companyId: company.id, locationId: l.id }); await s.installs.storeExchangedToken(await s.oauth.exchangeCode({ code, redirectUri: 'http://x/cb' })); locs.push(l.id); }
let seq = 0;
async function enqueue(loc: string, p: number, reply: boolean) {
  seq++;
  const body = { schema: 'responder-live.event/v1', event: reply ? 'message.received' : 'message.sent', event_id: `e${seq}`, occurred_at: new Date(Date.UTC(2026, 5, 10) + seq * 1000).toISOString(), source: { list_id: 101, list_name: 'מתעניינים' }, subscriber: { id: 70000 + p * 10 + locs.indexOf(loc), email: `p${loc}-${p}@example.co.il`, first: 'דנה', last: `לוי ${p}`, tags: [], personal_fields: {} }, message: { channel: reply ? 'sms' : 'email', direction: reply ? 'inbound' : 'outbound', subject: 'עדכון', text: `hi ${seq}` } };
  const r = normaliseResponderPayload({ body, query: {}, locationId: loc, receivedAt: new Date(), defaultCountry: 'IL' });
  if (!r.ok) throw new Error('norm');
  await s.inbox.insert({ source: 'responder', locationId: loc, dedupeKey: r.dedupeKey, eventType: r.event.event, orderingKey: orderingKeyFor(loc, r.event), payload: r.event, rawPayload: body, status: 'pending' });
}
async function drain(expected: number) {
  let n = 0; let done!: () => void; const p = new Promise<void>((r) => (done = r));
  const w = new InboxWorker({ inbox: s.inbox, resolveHandler: s.resolveHandler, logger, concurrency: 16, pollMs: 250, leaseMs: 60000, isLocationParked: (l) => s.tokens.isLocationParked(l), onOutcome: (o) => { if (logOn) durs.push(o.durationMs); if (o.outcome === 'done' && ++n >= expected) done(); } });
  const t = performance.now(); w.start(); await p; const ms = performance.now() - t; await w.stop(); return ms;
}
for (const l of locs) for (let p = 0; p < 40; p++) await enqueue(l, p, true);
console.log('seed1', await drain(200));
for (const l of locs) for (let p = 0; p < 40; p++) await enqueue(l, p, false);
console.log('seed2', await drain(200));
for (let r = 0; r < 10; r++) for (const l of locs) for (let p = 0; p < 40; p++) await enqueue(l, p, (r + p) % 5 === 0);
await new Promise((r) => setTimeout(r, 1500));
import inspector from 'node:inspector/promises';
const session = new inspector.Session(); session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.start');
logOn = true;
const c0 = process.cpuUsage();
const ms = await drain(2000);
const c = process.cpuUsage(c0);
console.log('timed', Math.round(ms), 'ms; cpu', Math.round((c.user + c.system) / 1000), 'ms');
{ const { profile } = await session.post('Profiler.stop'); fs.writeFileSync('/tmp/prof/drain.cpuprofile', JSON.stringify(profile)); }
const pct = (a: number[], q: number) => { const b = [...a].sort((x, y) => x - y); return Math.round(b[Math.floor(b.length * q)] ?? -1); };
console.log('event dur p50', pct(durs, .5), 'p90', pct(durs, .9), 'max', pct(durs, .999), '| acquire wait p50', pct(waits, .5), 'p90', pct(waits, .9), 'max', pct(waits, .999), 'n', waits.length);
const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
for (const [k, v] of rows) console.log(v.ms.toFixed(0).padStart(7), 'ms', String(v.n).padStart(6), (v.ms / v.n).toFixed(3).padStart(8), k);
await srv.close();
