import { createServer, type Server } from 'node:http';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { buildServices } from './container';
import { openServerDatabase } from './db/database';
import { migrateToLatest } from './db/migrate';
import { IdempotencyRepository } from './db/repositories/idempotency-repository';
import { InboxWorker } from './jobs/inbox-worker';
import { startPurgeJob } from './jobs/purge-job';
import { createLogger } from './logger';

/** Boot: config → db → migrations → services → worker → listen, and a graceful drain on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const db = openServerDatabase(config.databaseUrl, logger);
  await migrateToLatest(db);
  const services = buildServices(config, logger, db);

  const runsWeb = config.role !== 'worker';
  const runsWorker = config.role !== 'web';
  // Imported only in sandbox mode: a production process never loads the GHL and Responder Live simulators.
  const sandbox = config.sandbox && runsWeb ? (await import('./sandbox/sandbox-mode')).createSandbox(services) : undefined;

  let server: Server | undefined;
  if (runsWeb) {
    const app = createApp({ ...services, ...(sandbox ? { sandbox: sandbox.router } : {}) });
    server = await new Promise<Server>((resolve) => {
      const s = createServer(app).listen(config.port, () => resolve(s));
    });
    logger.info({ port: config.port, sandbox: config.sandbox, role: config.role }, 'listening');
  }

  const worker = runsWorker
    ? new InboxWorker({
        inbox: services.inbox,
        resolveHandler: services.resolveHandler,
        logger: logger.child({ area: 'worker' }),
        concurrency: config.worker.concurrency,
        pollMs: config.worker.pollMs,
        leaseMs: config.worker.leaseMs,
        isLocationParked: (locationId) => services.tokens.isLocationParked(locationId),
        onOutcome: ({ event, outcome }) => {
          if (outcome === 'retry' || outcome === 'dead') {
            services.metrics.eventsFailed.inc({ source: event.source, kind: outcome });
          } else {
            services.metrics.eventsProcessed.inc({ source: event.source, outcome });
          }
        },
      })
    : undefined;
  worker?.start();
  const purge = runsWorker
    ? startPurgeJob({
        inbox: services.inbox,
        idempotency: new IdempotencyRepository(db),
        retentionDays: config.rawPayloadRetentionDays,
        logger: logger.child({ area: 'purge' }),
      })
    : undefined;

  if (sandbox) {
    const info = await sandbox.bootstrap();
    process.stdout.write(
      `\nSandbox mode (no GHL credentials): everything runs on this machine.\n` +
        `  Sandbox page:  ${config.publicUrl}/sandbox\n` +
        `  Panel:         ${config.publicUrl}/app\n` +
        `  Health:        ${config.publicUrl}/healthz\n` +
        `  Responder webhook of the sandbox location: ${info.webhookUrl}\n\n`,
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight work');
    // Stop taking requests first, then let the worker finish what it holds (its leases stay valid meanwhile).
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    server?.closeIdleConnections();
    purge?.stop();
    await worker?.stop();
    await closed;
    await services.limiter.flush?.();
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Start failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
