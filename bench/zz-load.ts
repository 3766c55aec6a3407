import fs from 'node:fs';
import { load, responderPayload } from './ingest-bench';
const target = process.argv[2]!; const secs = Number(process.argv[3] ?? 8);
const url = target === 'ceiling' ? 'http://127.0.0.1:4702/ceiling' : `http://127.0.0.1:4701/webhooks/responder/${fs.readFileSync('/tmp/zz-key', 'utf8')}`;
const r = await load(url, secs, () => responderPayload());
console.log(target, Math.round(r.requests.average), 'req/s p50', r.latency.p50, 'p99', r.latency.p99, 'non2xx', r.non2xx, 'err', r.errors);
