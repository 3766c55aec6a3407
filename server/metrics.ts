import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of SPEC §2 `/metrics`. One registry per app instance so tests don't share counters. */
export interface Metrics {
  registry: Registry;
  eventsReceived: Counter<'source' | 'outcome'>;
  eventsProcessed: Counter<'source' | 'outcome'>;
  eventsFailed: Counter<'source' | 'kind'>;
  queueDepth: Gauge<'status'>;
  workerLagSeconds: Gauge;
  ghlCalls: Counter<'status' | 'method'>;
  ghlRateLimited: Counter;
  tokenRefreshes: Counter<'kind' | 'outcome'>;
}

export function createMetrics(collect?: {
  queueDepth: () => Promise<Record<string, number>>;
  oldestPendingAgeMs: () => Promise<number>;
}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    eventsReceived: new Counter({
      name: 'rlghl_events_received_total',
      help: 'Webhook events received, by source and outcome (stored, duplicate, invalid, ignored, rejected)',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    }),
    eventsProcessed: new Counter({
      name: 'rlghl_events_processed_total',
      help: 'Inbox events finished by the worker, by source and outcome',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    }),
    eventsFailed: new Counter({
      name: 'rlghl_events_failed_total',
      help: 'Inbox event attempts that failed, by source and failure kind',
      labelNames: ['source', 'kind'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'rlghl_queue_depth',
      help: 'Inbox events by status',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        if (!collect) return;
        this.reset();
        for (const [status, n] of Object.entries(await collect.queueDepth())) this.set({ status }, n);
      },
    }),
    workerLagSeconds: new Gauge({
      name: 'rlghl_worker_lag_seconds',
      help: 'Age of the oldest pending inbox event',
      registers: [registry],
      async collect() {
        if (collect) this.set((await collect.oldestPendingAgeMs()) / 1000);
      },
    }),
    ghlCalls: new Counter({
      name: 'rlghl_ghl_calls_total',
      help: 'Calls to the GHL API by HTTP status (0 = network error or timeout)',
      labelNames: ['status', 'method'],
      registers: [registry],
    }),
    ghlRateLimited: new Counter({
      name: 'rlghl_ghl_rate_limited_total',
      help: '429 answers received from GHL',
      registers: [registry],
    }),
    tokenRefreshes: new Counter({
      name: 'rlghl_token_refreshes_total',
      help: 'GHL token refreshes and location-token mints, by kind and outcome',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
  };
}
