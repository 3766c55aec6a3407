import { randomBytes } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import express, { type Express } from 'express';
import { parseConfig, type Config } from '../../server/config';
import type { Dialect } from '../../server/db/database';
import { InboxRepository } from '../../server/db/repositories/inbox-repository';
import { InstallationRepository } from '../../server/db/repositories/installation-repository';
import { errorHandler } from '../../server/errors';
import { requestContext } from '../../server/http/request-context';
import { GhlOAuthClient } from '../../server/integrations/ghl/ghl-oauth-client';
import { createLogger, type Logger } from '../../server/logger';
import { installRouter } from '../../server/oauth/install-routes';
import { TokenService, type TokenServiceOptions } from '../../server/oauth/token-service';
import { createGhlSimulator, type GhlSimulator } from '../../server/sandbox/ghl-simulator/ghl-simulator';
import { SecretBox } from '../../server/security/secret-box';
import { ghlWebhookRouter } from '../../server/webhooks/ghl-webhook-route';
import { createTestDb, type TestDb } from './test-db';

export const TEST_CLIENT_ID = 'testapp123-client456';
export const TEST_CLIENT_SECRET = 'test-client-secret';
export const TEST_APP_ID = 'testapp123';
export const PUBLIC_URL = 'http://app.test';

export interface OAuthHarness {
  db: TestDb;
  sim: GhlSimulator;
  simUrl: string;
  config: Config;
  logger: Logger;
  box: SecretBox;
  installations: InstallationRepository;
  oauth: GhlOAuthClient;
  tokens: TokenService;
  inbox: InboxRepository;
  /** installRouter + ghlWebhookRouter mounted as the lead mounts them, with the one error handler. */
  app: Express;
  /** Every stored value of the installation and session tables, as text: tokens must never appear in it. */
  rawDump(): Promise<string>;
  close(): Promise<void>;
}

/**
 * The GHL simulator on loopback, a fresh database and the install/token/webhook stack wired to both.
 * `file: true` puts SQLite in a file (for byte-level greps and child processes).
 */
export async function createOAuthHarness(
  dialect: Dialect,
  options: { file?: boolean; tokenOptions?: Partial<TokenServiceOptions> } = {},
): Promise<OAuthHarness> {
  const db = await createTestDb(dialect, { file: options.file ?? false });
  const sim = createGhlSimulator({ clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET });
  const server = await sim.listen().catch(async (err: unknown) => {
    await db.destroy();
    throw err;
  });
  let closed = false;
  const config = parseConfig({
    GHL_CLIENT_ID: TEST_CLIENT_ID,
    GHL_CLIENT_SECRET: TEST_CLIENT_SECRET,
    GHL_SSO_KEY: 'test-sso-key',
    APP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SESSION_SECRET: randomBytes(24).toString('hex'),
    PUBLIC_URL,
    GHL_API_BASE_URL: server.url,
    GHL_AUTHORIZE_URL: `${server.url}/oauth/chooselocation`,
    GHL_WEBHOOK_PUBLIC_KEY: sim.webhookPublicKeyPem,
    GHL_WEBHOOK_RSA_PUBLIC_KEY: sim.rsaPublicKeyPem,
    LOG_LEVEL: 'silent',
  });
  const logger = createLogger('silent');
  const box = new SecretBox(config.encryption.key);
  const installations = new InstallationRepository(db, box);
  const oauth = new GhlOAuthClient({
    baseUrl: server.url,
    clientId: TEST_CLIENT_ID,
    clientSecret: TEST_CLIENT_SECRET,
    timeoutMs: 5_000,
    logger,
  });
  const tokens = new TokenService({ installations, oauth, logger, ...options.tokenOptions });
  const inbox = new InboxRepository(db);
  const deps = { config, logger, db, installations, tokens, oauth, inbox };
  const app = express();
  app.use(requestContext(logger));
  app.use(installRouter(deps));
  app.use(ghlWebhookRouter(deps));
  app.use(errorHandler(logger));

  return {
    db,
    sim,
    simUrl: server.url,
    config,
    logger,
    box,
    installations,
    oauth,
    tokens,
    inbox,
    app,
    async rawDump() {
      const parts: unknown[] = [];
      for (const table of ['companies', 'locations', 'sessions', 'inbox_events'] as const) {
        parts.push(await db.kysely.selectFrom(table).selectAll().execute());
      }
      let text = JSON.stringify(parts);
      if (db.dialect === 'sqlite' && db.url !== 'sqlite::memory:') {
        const file = db.url.slice('sqlite:'.length);
        for (const suffix of ['', '-wal']) {
          if (existsSync(file + suffix)) text += readFileSync(file + suffix).toString('latin1');
        }
      }
      return text;
    },
    async close() {
      // Idempotent: afterEach may meet a harness a previous test already closed.
      if (closed) return;
      closed = true;
      await server.close();
      await db.destroy();
    },
  };
}

/** Tokens the simulator issues look like `sim-at-…` / `sim-rt-…`: none may reach the database as text. */
export const SIM_TOKEN_PATTERN = /sim-(at|rt)-/;
