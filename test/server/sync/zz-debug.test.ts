import { it } from 'vitest';
import { createSyncHarness } from '../../support/sync-harness';

it('debug', async () => {
  const outcomes: Record<string, number> = {};
  const durs: number[] = [];
  const errors: Record<string, number> = {};
  const h = await createSyncHarness('sqlite', {
    rateLimit: { max: 50, windowMs: 1000 }, timeoutMs: 400, concurrency: 16,
    worker: { onOutcome: (o) => { durs.push(o.durationMs); outcomes[o.outcome] = (outcomes[o.outcome] ?? 0) + 1; if (o.error) { const k = String((o.error as Error).message).slice(0, 80); errors[k] = (errors[k] ?? 0) + 1; } } },
  });
  const locs: string[] = [];
  for (let i = 0; i < 5; i++) locs.push(await h.addLocation());
  for (const loc of locs) for (let k = 0; k < 100; k++) {
    const person = (k * 7) % 25;
    await h.inbox.insert({ source: 'responder', locationId: loc, dedupeKey: `${loc}-${k}`, eventType: 'message.sent', orderingKey: `${loc}:p${person}`,
      payload: { schema: 'responder-live.event/v1', event: 'message.sent', event_id: `${k}`, occurred_at: new Date().toISOString(), source: {}, subscriber: { email: `p${person}@x.com`, tags: [], personal_fields: {} }, message: { channel: 'sms', direction: 'outbound', text: 'hi' } },
      rawPayload: null, status: 'pending' });
  }
  const t0 = Date.now();
  const timer = setInterval(async () => { process.stdout.write("\n"); console.log(Date.now() - t0, JSON.stringify(outcomes), h.sim.requests.length, JSON.stringify(errors)); }, 2000);
  await h.settle(400);
  clearInterval(timer);
  console.log('total', Date.now() - t0, JSON.stringify(outcomes), h.sim.requests.length, JSON.stringify(errors));
  durs.sort((a,b)=>a-b); console.log('DURS', durs[0], durs[Math.floor(durs.length/2)], durs[Math.floor(durs.length*0.9)], durs[durs.length-1]);
  await h.close();
}, 300_000);
