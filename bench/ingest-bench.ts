import autocannon, { type Request, type Result } from 'autocannon';
import { benchEnv, profiled, startBenchChild, type BenchChild } from './bench-child';

export const INGEST_CONNECTIONS = 50;
/**
 * Responder connections the webhooks are spread over. Each webhook key is throttled to 50 per second by the public
 * rate limit (server/http/public-rate-limit.ts), a policy rather than a capacity: the server's capacity is measured
 * across many locations, as a multi-tenant install receives them. Any 429 still counts as a miss.
 */
export const INGEST_KEYS = 200;
export const INGEST_SECONDS = 10;
const WARMUP_SECONDS = 2;

export interface LoadFigures {
  requestsPerSec: number;
  /** Server CPU time (user + system) per answered request, µs: what a request costs, whatever the machine's load. */
  serverCpuUsPerRequest: number;
  /** The kernel's part of it (socket and file writes). */
  serverSystemUsPerRequest: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export interface IngestReport {
  connections: number;
  keys: number;
  seconds: number;
  ingest: LoadFigures;
  ceiling: LoadFigures;
  /** ingest req/s ÷ ceiling req/s. */
  ratio: number;
  /** Rows the inbox holds after the run (every 2xx must have stored one). */
  stored: number;
  /** Server RSS right after the ingest run, MB. */
  rssMb: number;
  heapUsedMb: number;
}

let seq = 0;

/** A canonical Responder Live message event, unique per call (own event id, one of 2,000 subscribers). */
export function responderPayload(n = ++seq): string {
  const person = n % 2_000;
  return JSON.stringify({
    schema: 'responder-live.event/v1',
    event: n % 5 === 0 ? 'message.received' : 'message.sent',
    event_id: `bench-${process.pid}-${n}`,
    occurred_at: new Date(Date.UTC(2026, 5, 10, 7, 0, 0) + n * 1000).toISOString(),
    source: { account_id: 1000047, list_id: 101, list_name: 'מתעניינים' },
    subscriber: {
      id: 50_000 + person,
      email: `person${person}@example.co.il`,
      phone: `050-${String(1_000_000 + person).padStart(7, '0')}`,
      first: 'דנה',
      last: `לוי ${person}`,
      tags: [],
      personal_fields: { עיר: 'תל אביב' },
    },
    message: {
      id: `m-${n}`,
      channel: n % 3 === 0 ? 'sms' : 'email',
      direction: n % 5 === 0 ? 'inbound' : 'outbound',
      subject: 'עדכון חודשי',
      text: 'שלום דנה, מה המחיר של "החבילה המורחבת"? תודה 🙏 Monthly update #' + n,
    },
  });
}

/** 50 connections for `seconds`, each request to the next of `paths` with a fresh body from `body()`. */
export function load(origin: string, paths: readonly string[], seconds: number, body: () => string): Promise<Result> {
  let next = 0;
  const request: Request = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length]!, body: body() }),
  };
  return new Promise((resolve, reject) => {
    autocannon({ url: origin, connections: INGEST_CONNECTIONS, duration: seconds, requests: [request] }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

/** Runs the measured load and reads the server's CPU time around it. */
async function measured(child: BenchChild, origin: string, paths: readonly string[]): Promise<LoadFigures> {
  const before = await child.call('cpu', {});
  const result = await load(origin, paths, INGEST_SECONDS, () => responderPayload());
  const after = await child.call('cpu', {});
  return figures(result, after.user - before.user, after.system - before.system);
}

function figures(r: Result, userUs: number, systemUs: number): LoadFigures {
  const perRequest = (us: number) => Math.round(us / Math.max(1, r.requests.total));
  return {
    requestsPerSec: Math.round(r.requests.average),
    serverCpuUsPerRequest: perRequest(userUs + systemUs),
    serverSystemUsPerRequest: perRequest(systemUs),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

/**
 * Responder webhooks vs a bare Express route answering 200, both served by the same child process (the real
 * app on one port, the bare route on another), driven by autocannon in this process. Two cores: autocannon gets
 * one, the server the other. Each target is warmed up for 2 s first (JIT, SQLite page cache).
 */
export async function runIngestBench(log: (line: string) => void): Promise<IngestReport> {
  const { env, dbFile } = benchEnv({ ROLE: 'web' });
  const child = await startBenchChild(env, dbFile);
  try {
    const keys: string[] = [];
    for (let i = 0; i < INGEST_KEYS; i++) {
      keys.push((await child.call('connect', { locationId: `bench-location-${i}` })).webhookKey);
    }
    const ingestPaths = keys.map((k) => `/webhooks/responder/${k}`);
    // The bare route takes the same URL shape (one path parameter) and the same bodies.
    const ceilingPaths = keys.map((k) => `/ceiling/${k}`);

    const probe = await fetch(`${child.appUrl}${ingestPaths[0]}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: responderPayload(),
    });
    const probeBody = (await probe.json()) as { ok?: boolean };
    if (probe.status !== 200 || probeBody.ok !== true) throw new Error(`ingest probe failed: ${probe.status} ${JSON.stringify(probeBody)}`);

    log(`  ceiling: warm-up ${WARMUP_SECONDS} s, then ${INGEST_SECONDS} s at ${INGEST_CONNECTIONS} connections`);
    await load(child.ceilingUrl, ceilingPaths, WARMUP_SECONDS, () => responderPayload());
    const ceiling = await measured(child, child.ceilingUrl, ceilingPaths);
    log(`  ingest: warm-up ${WARMUP_SECONDS} s, then ${INGEST_SECONDS} s at ${INGEST_CONNECTIONS} connections over ${INGEST_KEYS} webhook keys`);
    await load(child.appUrl, ingestPaths, WARMUP_SECONDS, () => responderPayload());
    const ingest = await profiled(child, 'ingest', () => measured(child, child.appUrl, ingestPaths));

    const memory = await child.call('memory', {});
    const counts = await child.call('inboxCounts', {});
    const stored = Object.values(counts).reduce((a, b) => a + b, 0);
    return {
      connections: INGEST_CONNECTIONS,
      keys: INGEST_KEYS,
      seconds: INGEST_SECONDS,
      ingest,
      ceiling,
      ratio: Math.round((ingest.requestsPerSec / ceiling.requestsPerSec) * 1000) / 1000,
      stored,
      rssMb: Math.round((memory.rss / 1_048_576) * 10) / 10,
      heapUsedMb: Math.round((memory.heapUsed / 1_048_576) * 10) / 10,
    };
  } finally {
    await child.stop();
  }
}
