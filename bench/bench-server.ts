import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { buildServices, type Services } from '../server/container';
import { openServerDatabase } from '../server/db/database';
import { migrateToLatest } from '../server/db/migrate';
import { issuePanelToken } from '../server/http/panel-auth';
import { InboxWorker, type WorkerOutcome } from '../server/jobs/inbox-worker';
import { createLogger } from '../server/logger';
import type { BenchCommand, BenchCommands, BenchReady, BenchReply, BenchRequest, DrainReport } from './bench-protocol';
import { seedHistory, timeRepositoryHistory } from './history-bench';

/**
 * The server under measurement, in its own process (forked by bench/run.ts): the real services, app and worker,
 * configured from the environment exactly as server/index.ts is, plus a bare Express app in the same process
 * answering 200 (the ingest ceiling). The orchestrator drives it over IPC (bench-protocol.ts).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const db = openServerDatabase(config.databaseUrl, logger);
  await migrateToLatest(db);
  const services = buildServices(config, logger, db);

  const app = createApp({ ...services });
  const ceiling = express();
  ceiling.disable('x-powered-by');
  ceiling.post('/ceiling/:key', (_req, res) => {
    res.sendStatus(200);
  });
  const [appUrl, ceilingUrl] = await Promise.all([listen(app), listen(ceiling)]);

  const handlers = commandHandlers(services);
  process.on('message', (message: BenchRequest) => {
    const handler = handlers[message.cmd] as (args: unknown) => Promise<unknown>;
    handler(message.args).then(
      (result) => process.send?.({ id: message.id, ok: true, result } satisfies BenchReply),
      (err: unknown) =>
        process.send?.({
          id: message.id,
          ok: false,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        } satisfies BenchReply),
    );
  });
  // The orchestrator going away (it exits, or kills us) ends this process too.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => {
    void db.close().finally(() => process.exit(0));
  });
  process.send?.({ type: 'ready', appUrl, ceilingUrl } satisfies BenchReady);
}

let profiler: Session | undefined;

function commandHandlers(services: Services): {
  [C in BenchCommand]: (args: BenchCommands[C]['args']) => Promise<BenchCommands[C]['result']>;
} {
  return {
    connect: async ({ locationId }) => {
      await services.connections.upsertCredentials(locationId, {
        clientId: '238',
        clientSecret: 'bench-responder-secret',
        userToken: 'bench-user-token',
      });
      return { webhookKey: await services.connections.ensureWebhookKey(locationId) };
    },
    install: async ({ code }) => {
      const token = await services.oauth.exchangeCode({ code, redirectUri: `${services.config.publicUrl}/oauth/callback` });
      const outcome = await services.installs.storeExchangedToken(token);
      return { locationIds: outcome.locations.map((l) => l.locationId) };
    },
    drain: (args) => drain(services, args),
    seedHistory: (args) => seedHistory(services.messages, args),
    repoHistory: (args) => timeRepositoryHistory(services.messages, args),
    panelToken: async ({ locationId }) => ({
      token: issuePanelToken(
        { userId: 'bench-user', locationId, role: 'admin', name: 'Bench', email: 'bench@example.test' },
        services.config.sessionSecret,
      ).token,
    }),
    inboxCounts: async () => services.inbox.countByStatus(),
    memory: async () => process.memoryUsage(),
    cpu: async () => process.cpuUsage(),
    profile: async (args) => {
      if (args.action === 'start') {
        profiler ??= new Session();
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.start');
        return { written: null };
      }
      if (!profiler) return { written: null };
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      writeFileSync(args.file, JSON.stringify(profile));
      return { written: args.file };
    },
  };
}

/** The worker as server/index.ts builds it (same concurrency, poll interval and lease), run until `expected` finish. */
async function drain(services: Services, { expected, timeoutMs }: { expected: number; timeoutMs: number }): Promise<DrainReport> {
  const before = await ghlCounts(services);
  const outcomes: Record<string, number> = {};
  let finished = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const final: readonly WorkerOutcome[] = ['done', 'ignored', 'dead'];
  const worker = new InboxWorker({
    inbox: services.inbox,
    resolveHandler: services.resolveHandler,
    logger: services.logger.child({ area: 'worker' }),
    concurrency: services.config.worker.concurrency,
    pollMs: services.config.worker.pollMs,
    leaseMs: services.config.worker.leaseMs,
    isLocationParked: (locationId) => services.tokens.isLocationParked(locationId),
    onOutcome: ({ outcome }) => {
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (final.includes(outcome) && ++finished >= expected) resolveDone();
    },
  });
  const start = performance.now();
  worker.start();
  const timer = setTimeout(resolveDone, timeoutMs);
  await done;
  const wallMs = performance.now() - start;
  clearTimeout(timer);
  await worker.stop({ timeoutMs: 5_000 });
  const after = await ghlCounts(services);
  const ghlCallsByStatus: Record<string, number> = {};
  for (const [status, n] of Object.entries(after.byStatus)) {
    const delta = n - (before.byStatus[status] ?? 0);
    if (delta > 0) ghlCallsByStatus[status] = delta;
  }
  return { wallMs: Math.round(wallMs), outcomes, ghlCallsByStatus, rateLimited: after.rateLimited - before.rateLimited };
}

async function ghlCounts(services: Services): Promise<{ byStatus: Record<string, number>; rateLimited: number }> {
  const byStatus: Record<string, number> = {};
  for (const v of (await services.metrics.ghlCalls.get()).values) {
    const status = String(v.labels.status);
    byStatus[status] = (byStatus[status] ?? 0) + v.value;
  }
  const rateLimited = (await services.metrics.ghlRateLimited.get()).values.reduce((sum, v) => sum + v.value, 0);
  return { byStatus, rateLimited };
}

function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench server failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
