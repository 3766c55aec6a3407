import { openDatabase } from '../server/db/database';
import { migrateToLatest } from '../server/db/migrate';
import { InboxRepository } from '../server/db/repositories/inbox-repository';
import { sql } from 'kysely';
const db = openDatabase(`sqlite:/tmp/zz-claim-${Date.now()}.db`); await migrateToLatest(db);
await sql`create index inbox_unfinished_order_idx on inbox_events (received_at, id) where status in ('pending', 'failed', 'processing')`.execute(db.kysely);
await sql`create index inbox_unfinished_key_idx on inbox_events (ordering_key, received_at, id, status, lease_expires_at) where status in ('pending', 'failed', 'processing')`.execute(db.kysely);
const inbox = new InboxRepository(db);
for (let i = 0; i < 2400; i++) {
  await inbox.insert({ source: 'responder', locationId: `L${i % 5}`, dedupeKey: `k${i}`, eventType: 'message.sent', orderingKey: `responder:L${i % 5}:p${i % 200}`, payload: { a: 'x'.repeat(800) }, rawPayload: { a: 'x'.repeat(800) }, status: 'pending' });
}
async function claim(workerId: string, limit: number, leaseMs: number) {
  const now = Date.now();
  const r = await sql<any>`
      update inbox_events set status = 'processing', lease_owner = ${workerId}, lease_expires_at = ${now + leaseMs}, updated_at = ${now},
    attempts = case when inbox_events.status = 'processing' then inbox_events.attempts + 1 else inbox_events.attempts end
      where id in (
        select e.id from inbox_events e indexed by inbox_unfinished_order_idx
        where e.status in ('pending', 'failed', 'processing')
          and ((+e.status in ('pending', 'failed') and e.next_run_at <= ${now})
            or (+e.status = 'processing' and e.lease_expires_at <= ${now}))
          and (e.ordering_key is null or (
            not exists (select 1 from inbox_events p
              where p.ordering_key = e.ordering_key and p.status in ('pending', 'failed', 'processing')
                and (p.received_at, p.id) < (e.received_at, e.id))
            and not exists (select 1 from inbox_events p
              where p.ordering_key = e.ordering_key and p.status = 'processing' and p.id <> e.id and p.lease_expires_at > ${now})))
        order by e.received_at, e.id
        limit ${limit})
      returning *`.execute(db.kysely);
  return r.rows;
}
const first = await claim('w0', 400, 60000);
console.log('claimed first', first.length);
for (const e of first) await inbox.complete(e.id, 'w0', { status: 'done' });
const times: number[] = [];
await claim('w1', 16, 60000);
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  const r = await claim('w1', 1, 60000);
  times.push(performance.now() - t);
  for (const e of r) await inbox.complete(e.id, 'w1', { status: 'done' });
}
times.sort((a, b) => a - b);
console.log('claim(1) p50', times[100], 'p95', times[190]);
const now = Date.now();
const plan = await sql`explain query plan select e.id from inbox_events e indexed by inbox_unfinished_order_idx
        where e.status in ('pending', 'failed', 'processing')
          and ((+e.status in ('pending', 'failed') and e.next_run_at <= ${now})
            or (+e.status = 'processing' and e.lease_expires_at <= ${now}))
          and (e.ordering_key is null or (
            not exists (select 1 from inbox_events p
              where p.ordering_key = e.ordering_key and p.status in ('pending', 'failed', 'processing')
                and (p.received_at, p.id) < (e.received_at, e.id))
            and not exists (select 1 from inbox_events p
              where p.ordering_key = e.ordering_key and p.status = 'processing' and p.id <> e.id and p.lease_expires_at > ${now})))
        order by e.received_at, e.id
        limit 1`.execute(db.kysely);
console.log(plan.rows.map((r: any) => `${r.id}/${r.parent} ${r.detail}`).join('\n'));
await db.close();
