import { openDatabase } from '../server/db/database';
import { migrateToLatest } from '../server/db/migrate';
import { InboxRepository } from '../server/db/repositories/inbox-repository';
import { sql } from 'kysely';
const db = openDatabase(`sqlite:/tmp/zz-claim-${Date.now()}.db`); await migrateToLatest(db);
const inbox = new InboxRepository(db);
for (let i = 0; i < 2400; i++) {
  await inbox.insert({ source: 'responder', locationId: `L${i % 5}`, dedupeKey: `k${i}`, eventType: 'message.sent', orderingKey: `responder:L${i % 5}:p${i % 200}`, payload: { a: 'x'.repeat(800) }, rawPayload: { a: 'x'.repeat(800) }, status: 'pending' });
}
// first 400 done
const first = await inbox.claimDue('w0', 400, 60000);
for (const e of first) await inbox.complete(e.id, 'w0', { status: 'done' });
console.log('claimed first', first.length);
const times: number[] = [];
const c16 = await inbox.claimDue('w1', 16, 60000);
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  const r = await inbox.claimDue('w1', 1, 60000);
  times.push(performance.now() - t);
  for (const e of r) await inbox.complete(e.id, 'w1', { status: 'done' });
}
times.sort((a, b) => a - b);
console.log('claim(1) p50', times[100], 'p95', times[190]);
const plan = await sql`explain query plan update inbox_events set status='processing' where id in (select e.id from inbox_events e where ((e.status in ('pending','failed') and e.next_run_at <= 1e15) or (e.status='processing' and e.lease_expires_at <= 0)) and (e.ordering_key is null or not exists (select 1 from inbox_events p where p.ordering_key = e.ordering_key and p.id <> e.id and ((p.status in ('pending','failed','processing') and (p.received_at < e.received_at or (p.received_at = e.received_at and p.id < e.id))) or (p.status='processing' and p.lease_expires_at > 0)))) order by e.received_at, e.id limit 1)`.execute(db.kysely);
console.log(plan.rows);
await db.close();
