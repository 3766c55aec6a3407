import { it } from 'vitest';
import { createSyncHarness } from '../../support/sync-harness';

it('debug', async () => {
  const outcomes: Record<string, number> = {};
  const h = await createSyncHarness('sqlite', {
    rateLimit: { max: 50, windowMs: 1000 }, timeoutMs: 1500, concurrency: 16,
    worker: { onOutcome: (o) => { outcomes[o.outcome] = (outcomes[o.outcome] ?? 0) + 1; } },
  });
  const locs: string[] = [];
  for (let i = 0; i < 5; i++) locs.push(await h.addLocation());
  for (const loc of locs) for (let k = 0; k < 100; k++) {
    const person = (k * 7) % 25;
    await h.inbox.insert({ source: 'responder', locationId: loc, dedupeKey: `${loc}-${k}`, eventType: 'message.sent', orderingKey: `${loc}:p${person}`,
      payload: { schema: 'responder-live.event/v1', event: k % 4 ? 'message.sent' : 'message.replied', event_id: `${k}`, occurred_at: new Date().toISOString(), source: {list_name: k%2?'a':'b'}, subscriber: { email: `p${person}@x.com`, tags: [], personal_fields: {} }, message: { channel: 'sms', direction: 'outbound', text: 'hi' } },
      rawPayload: null, status: 'pending' });
  }
  const mode = process.env.DBG_MODE ?? 'all';
  h.sim.setFaults({ errorRate: mode.includes('500') || mode === 'all' ? 0.1 : 0, timeoutRate: mode.includes('hang') || mode === 'all' ? 0.02 : 0 });
  let given = 0;
  const t0 = Date.now();
  const chaos = setInterval(() => {
    const calls = h.sim.requests.length;
    const owed = Math.floor(calls / 20) - given;
    if ((mode.includes('429') || mode === 'all') && owed > 0) { h.sim.setFaults({ rateLimitBurst: owed }); given += owed; }
  }, 50);
  const timer = setInterval(() => { process.stdout.write(`PROG ${Date.now() - t0} ${JSON.stringify(outcomes)} req=${h.sim.requests.length} 429=${h.sim.requests.filter(r=>r.status===429).length}\n`); }, 5000);
  await h.settle(400);
  clearInterval(timer); clearInterval(chaos);
  process.stdout.write(`TOTAL ${mode} ${Date.now() - t0} ${JSON.stringify(outcomes)} ${h.sim.requests.length}\n`);
  await h.close();
}, 900_000);
