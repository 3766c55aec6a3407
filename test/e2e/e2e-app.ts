import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../../server/app';
import { parseConfig } from '../../server/config';
import { buildServices, type Services } from '../../server/container';
import { openDatabase } from '../../server/db/database';
import { migrateToLatest } from '../../server/db/migrate';
import { InboxWorker } from '../../server/jobs/inbox-worker';
import { createLogger } from '../../server/logger';
import type { GhlSimulator } from '../../server/sandbox/ghl-simulator/ghl-simulator';
import { createSandbox } from '../../server/sandbox/sandbox-mode';
import type { SandboxInfo } from '../../server/sandbox/sandbox-page-route';

/** The app as `npm start` runs it in sandbox mode, but inside the test process so tests can look at the simulator. */
export interface E2eApp {
  /** `http://127.0.0.1:<port>`: the app's PUBLIC_URL. */
  baseUrl: string;
  services: Services;
  /** The GHL simulator behind the sandbox location (notes, tasks, contacts it received). */
  ghl: GhlSimulator;
  info: SandboxInfo;
  close(): Promise<void>;
}

/**
 * Boots the sandbox-mode app on a free loopback port: temp data dir and SQLite file, migrations, services, the
 * /sandbox page and simulators, the inbox worker, then the sandbox install (which needs the app listening,
 * since it runs the real OAuth code exchange against the simulator on the same server).
 */
export async function startE2eApp(options: { panelDir: string }): Promise<E2eApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rlghl-e2e-'));
  // Listen first on port 0 so PUBLIC_URL is known before the config is parsed; the app is attached afterwards.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  const config = parseConfig({
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    DATABASE_URL: `sqlite:${path.join(dataDir, 'e2e.db')}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
  });
  const logger = createLogger(process.env.E2E_LOG_LEVEL ?? 'silent');
  const db = openDatabase(config.databaseUrl);
  await migrateToLatest(db);
  const services = buildServices(config, logger, db);
  const sandbox = createSandbox(services);
  const app = createApp({ ...services, sandbox: sandbox.router, panelDir: options.panelDir });
  server.on('request', app);

  const worker = new InboxWorker({
    inbox: services.inbox,
    resolveHandler: services.resolveHandler,
    logger: logger.child({ area: 'worker' }),
    concurrency: 4,
    pollMs: 50,
    leaseMs: config.worker.leaseMs,
    isLocationParked: (locationId) => services.tokens.isLocationParked(locationId),
  });

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await worker.stop({ timeoutMs: 5_000 });
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const info = await sandbox.bootstrap();
    worker.start();
    return { baseUrl, services, ghl: sandbox.ghl, info, close };
  } catch (err) {
    await close();
    throw err;
  }
}
