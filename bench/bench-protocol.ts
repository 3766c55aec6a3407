/**
 * The messages between the bench orchestrator (bench/run.ts) and the server it measures (bench/bench-server.ts),
 * which runs in its own process so that the load generator's CPU is not the server's.
 */

/** Final outcomes of a drain, plus what the app's own metrics saw of GHL. */
export interface DrainReport {
  wallMs: number;
  outcomes: Record<string, number>;
  /** GHL API calls by HTTP status, as the app's GHL client counted them (metrics `rlghl_ghl_calls_total`). */
  ghlCallsByStatus: Record<string, number>;
  rateLimited: number;
}

export interface Timings {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Rows the measured query returned (sanity: a page of 50 returns 50). */
  rows: number;
}

export interface RepoHistoryReport {
  firstPage: Timings;
  deepPage: Timings & { depth: number };
  search: Timings & { q: string };
  searchRare: Timings & { q: string };
}

/** Every command the bench server answers, with its arguments and result. */
export interface BenchCommands {
  /** Creates the location's Responder connection (credentials included) and returns its webhook key. */
  connect: { args: { locationId: string }; result: { webhookKey: string } };
  /** Exchanges a GHL simulator auth code and stores the installation, as the OAuth callback does. */
  install: { args: { code: string }; result: { locationIds: string[] } };
  /** Starts the worker, waits until `expected` events reached a final outcome, stops it. */
  drain: { args: { expected: number; timeoutMs: number }; result: DrainReport };
  /** Inserts `count` messages for one contact through MessageRepository. */
  seedHistory: { args: { locationId: string; contactId: string; count: number; needle: string; rare: string }; result: { insertedMs: number } };
  /** Times MessageRepository.page for the first page, a deep page and searches. */
  repoHistory: { args: { locationId: string; contactId: string; iterations: number; needle: string; rare: string }; result: RepoHistoryReport };
  /** A panel session token for `locationId` (what POST /api/session hands out). */
  panelToken: { args: { locationId: string }; result: { token: string } };
  /** Events in the inbox by status. */
  inboxCounts: { args: Record<string, never>; result: Record<string, number> };
  memory: { args: Record<string, never>; result: NodeJS.MemoryUsage };
  /** CPU time this process used so far (µs), to put a per-request cost beside the throughput. */
  cpu: { args: Record<string, never>; result: NodeJS.CpuUsage };
  /** `--profile`: starts the V8 CPU profiler, or stops it and writes the profile to `file`. */
  profile: { args: { action: 'start' } | { action: 'stop'; file: string }; result: { written: string | null } };
}

export type BenchCommand = keyof BenchCommands;

export interface BenchRequest<C extends BenchCommand = BenchCommand> {
  id: number;
  cmd: C;
  args: BenchCommands[C]['args'];
}

export type BenchReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export interface BenchReady {
  type: 'ready';
  appUrl: string;
  ceilingUrl: string;
}
