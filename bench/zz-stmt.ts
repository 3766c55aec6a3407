import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { migrateToLatest } from '../server/db/migrate';
import { InboxRepository } from '../server/db/repositories/inbox-repository';
async function mk(cache: boolean) {
  const conn = new SQLite(`/tmp/zz-stmt-${cache}-${Date.now()}.db`);
  if (cache) { const orig = conn.prepare.bind(conn); const c = new Map<string, any>(); (conn as any).prepare = (q: string) => { let st = c.get(q); if (!st) { st = orig(q); c.set(q, st); } return st; }; }
  conn.pragma('journal_mode = WAL'); conn.pragma('synchronous = NORMAL');
  const kysely = new Kysely<any>({ dialect: new SqliteDialect({ database: conn }) });
  const db = { kysely, dialect: 'sqlite' as const, close: () => kysely.destroy() };
  await migrateToLatest(db);
  return db;
}
async function bench(name: string, fn: (i: number) => Promise<unknown>, n = 2000) {
  let best = Infinity;
  for (let trial = 0; trial < 7; trial++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await fn(trial * n + i);
    const c = process.cpuUsage(c0); best = Math.min(best, (c.user + c.system) / n);
  }
  console.log(name.padEnd(40), best.toFixed(1), 'µs cpu/op (min of 7)');
}
for (const cache of [false, true]) {
  const db = await mk(cache);
  const inbox = new InboxRepository(db);
  await bench(`insert cache=${cache}`, (i) => inbox.insert({ source: 'responder', locationId: 'L', dedupeKey: `k${i}`, eventType: 'message.sent', orderingKey: `o${i % 50}`, payload: { a: 'x'.repeat(600) }, rawPayload: { a: 'y'.repeat(600) }, status: i < 20000 ? 'done' as any : 'pending' }));
  const ids = (await db.kysely.selectFrom('inbox_events').select('id').limit(1000).execute()).map((r: any) => r.id);
  await bench(`get by id cache=${cache}`, (i) => inbox.get(ids[i % 1000]));
  await bench(`claim(1) cache=${cache}`, async () => inbox.claimDue('w', 1, 60000), 300);
  await bench(`select 1 cache=${cache}`, () => sql`select 1`.execute(db.kysely));
  await db.close();
}
