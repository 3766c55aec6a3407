import { sql } from 'kysely';
import { openDatabase } from '../server/db/database';
import { migrateToLatest } from '../server/db/migrate';
import { InboxRepository } from '../server/db/repositories/inbox-repository';
for (const variant of ['both', 'order-only', 'both', 'order-only']) {
  const db = openDatabase(`sqlite:/tmp/zz-claim3-${Date.now()}.db`); await migrateToLatest(db);
  if (variant === 'order-only') await sql`drop index inbox_unfinished_key_idx`.execute(db.kysely);
  const inbox = new InboxRepository(db);
  for (let i = 0; i < 2400; i++) await inbox.insert({ source: 'responder', locationId: `L${i % 5}`, dedupeKey: `k${i}`, eventType: 'message.sent', orderingKey: `responder:L${i % 5}:p${i % 200}`, payload: { a: 'x'.repeat(800) }, rawPayload: { a: 'x'.repeat(800) }, status: 'pending' });
  const first = await inbox.claimDue('w0', 400, 60000);
  for (const e of first) await inbox.complete(e.id, 'w0', { status: 'done' });
  await inbox.claimDue('w1', 16, 60000);
  const cpu: number[] = [];
  for (let i = 0; i < 300; i++) { const c0 = process.cpuUsage(); const r = await inbox.claimDue('w1', 1, 60000); const c = process.cpuUsage(c0); cpu.push(c.user + c.system); for (const e of r) await inbox.complete(e.id, 'w1', { status: 'done' }); }
  cpu.sort((a, b) => a - b);
  console.log(variant, 'claim(1) cpu p50', cpu[150], 'µs p95', cpu[285]);
  await db.close();
}
