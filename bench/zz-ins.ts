import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { migrateToLatest } from '../server/db/migrate';
import { InboxRepository } from '../server/db/repositories/inbox-repository';
const variant = process.argv[2] ?? 'all';
const conn = new SQLite(`/tmp/zz-ins-${Date.now()}.db`);
conn.pragma('journal_mode = WAL'); conn.pragma('synchronous = NORMAL');
const kysely = new Kysely<any>({ dialect: new SqliteDialect({ database: conn }) });
const db = { kysely, dialect: 'sqlite' as const, close: () => kysely.destroy() };
await migrateToLatest(db);
if (variant === 'no0007') { await sql`drop index inbox_unfinished_order_idx`.execute(kysely); await sql`drop index inbox_unfinished_key_idx`.execute(kysely); }
const inbox = new InboxRepository(db);
let best = { u: Infinity, s: Infinity, w: Infinity };
const n = 2000;
for (let trial = 0; trial < 7; trial++) {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < n; i++) { const k = trial * n + i; await inbox.insert({ source: 'responder', locationId: 'L', dedupeKey: `responder:L:evt-${k}-abcdef`, eventType: 'message.sent', orderingKey: `responder:L:person${k % 2000}@example.co.il`, payload: { a: 'x'.repeat(900) }, rawPayload: { a: 'y'.repeat(700) }, status: 'pending' }); }
  const c = process.cpuUsage(c0); const w = performance.now() - t0;
  if (c.user + c.system < best.u + best.s) best = { u: c.user / n, s: c.system / n, w: w * 1000 / n };
}
console.log(variant, 'user', best.u.toFixed(1), 'sys', best.s.toFixed(1), 'wall', best.w.toFixed(1), 'µs/insert');
const pages = conn.pragma('page_count');
console.log(pages);
