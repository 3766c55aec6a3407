import autocannon from 'autocannon';
import { benchEnv, startBenchChild } from './bench-child';
import { responderPayload } from './ingest-bench';
const { env, dbFile } = benchEnv({ ROLE: 'web' });
const child = await startBenchChild(env, dbFile);
const paths: string[] = [];
for (let i = 0; i < 200; i++) paths.push(`/webhooks/responder/${(await child.call('connect', { locationId: `L${i}` })).webhookKey}`);
for (const connections of [1, 5, 50, 1, 50]) {
  let n = 0;
  const c0 = await child.call('cpu', {});
  const r = await autocannon({ url: child.appUrl, connections, duration: 5, requests: [{ method: 'POST', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, path: paths[n++ % 200]!, body: responderPayload() }) }] });
  const c1 = await child.call('cpu', {});
  console.log('conn', connections, Math.round(r.requests.average), 'req/s', 'cpu/req', Math.round((c1.user - c0.user + c1.system - c0.system) / r.requests.total), 'µs p50', r.latency.p50, 'p99', r.latency.p99);
}
await child.stop();
