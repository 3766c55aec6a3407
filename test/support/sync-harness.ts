import type { RequestListener } from 'node:http';
import express from 'express';
import type { Dialect } from '../../server/db/database';
import { ContactLinkRepository } from '../../server/db/repositories/contact-link-repository';
import { ContactStateRepository } from '../../server/db/repositories/contact-state-repository';
import { InboxRepository } from '../../server/db/repositories/inbox-repository';
import { LocationSettingsRepository } from '../../server/db/repositories/location-settings-repository';
import { MessageRepository } from '../../server/db/repositories/message-repository';
import { OwnWriteRepository } from '../../server/db/repositories/own-write-repository';
import { ResolutionLockRepository } from '../../server/db/repositories/resolution-lock-repository';
import { errorHandler } from '../../server/errors';
import { requestContext } from '../../server/http/request-context';
import { webhookLane } from '../../server/http/webhook-lane';
import { GhlClient, type GhlTokenProvider } from '../../server/integrations/ghl/ghl-client';
import { GhlOAuthClient } from '../../server/integrations/ghl/ghl-oauth-client';
import { LocalRateLimiter } from '../../server/integrations/ghl/ghl-rate-limiter';
import { InboxWorker, type InboxWorkerOptions } from '../../server/jobs/inbox-worker';
import { createLogger, type Logger } from '../../server/logger';
import { createGhlSimulator, type GhlSimulator } from '../../server/sandbox/ghl-simulator/ghl-simulator';
import { createResponderEventHandler, type ResponderEventHandlerDeps } from '../../server/sync/responder-event-handler';
import { responderWebhookRoute } from '../../server/webhooks/responder-webhook-route';
import { createTestDb, type TestDb } from './test-db';

const CLIENT_ID = 'syncapp1-client9';
const CLIENT_SECRET = 'sync-secret';

/**
 * A location token per location, from a simulator auth code; refreshed once (single flight) after a 401. What
 * the token service does, without the installation tables, so sync tests need only the simulator.
 */
export class SimTokenProvider implements GhlTokenProvider {
  private readonly tokens = new Map<string, { access: string; refresh: string }>();
  private readonly refreshing = new Map<string, Promise<string>>();
  refreshes = 0;

  constructor(
    private readonly sim: GhlSimulator,
    private readonly oauth: GhlOAuthClient,
  ) {}

  async install(locationId: string, companyId: string): Promise<void> {
    const code = this.sim.createAuthCode({ userType: 'Location', companyId, locationId });
    const res = await this.oauth.exchangeCode({ code, redirectUri: 'http://app.test/oauth/callback', userType: 'Location' });
    this.tokens.set(locationId, { access: res.access_token, refresh: res.refresh_token! });
  }

  async getAccessToken(locationId: string): Promise<string> {
    const t = this.tokens.get(locationId);
    if (!t) throw new Error(`no token for ${locationId}`);
    return t.access;
  }

  refreshAfterUnauthorized(locationId: string, failedToken: string): Promise<string> {
    const t = this.tokens.get(locationId);
    if (t && t.access !== failedToken) return Promise.resolve(t.access);
    const running = this.refreshing.get(locationId);
    if (running) return running;
    const p = (async () => {
      const current = this.tokens.get(locationId)!;
      const res = await this.oauth.refresh({ refreshToken: current.refresh, userType: 'Location' });
      this.refreshes += 1;
      this.tokens.set(locationId, { access: res.access_token, refresh: res.refresh_token ?? current.refresh });
      return res.access_token;
    })().finally(() => this.refreshing.delete(locationId));
    this.refreshing.set(locationId, p);
    return p;
  }
}

export interface SyncHarness {
  db: TestDb;
  sim: GhlSimulator;
  ghl: GhlClient;
  tokens: SimTokenProvider;
  logger: Logger;
  inbox: InboxRepository;
  links: ContactLinkRepository;
  states: ContactStateRepository;
  messages: MessageRepository;
  ownWrites: OwnWriteRepository;
  settings: LocationSettingsRepository;
  worker: InboxWorker;
  /** The Responder webhook route; key `key-<locationId>` belongs to each added location. */
  app: RequestListener;
  companyId: string;
  addLocation(id?: string, options?: { allowDuplicateContact?: boolean }): Promise<string>;
  /** Moves the worker's clock forward so retries scheduled for later are due now. */
  skipAhead(ms: number): void;
  /** Drains until no event is pending/failed/processing (skipping backoff waits), or throws after `rounds`. */
  settle(rounds?: number): Promise<void>;
  close(): Promise<void>;
}

export interface SyncHarnessOptions {
  rateLimit?: { max: number; windowMs: number };
  timeoutMs?: number;
  concurrency?: number;
  /** Wraps the GHL client the handler uses (fault injection at the call boundary). */
  wrapGhl?: (ghl: GhlClient) => GhlClient;
  handlerDeps?: Partial<ResponderEventHandlerDeps>;
  worker?: Partial<InboxWorkerOptions>;
}

/** Database + GHL simulator on loopback + the real client, inbox, worker, webhook route and default rule. */
export async function createSyncHarness(dialect: Dialect, options: SyncHarnessOptions = {}): Promise<SyncHarness> {
  const rateLimit = options.rateLimit ?? { max: 100, windowMs: 10_000 };
  const db = await createTestDb(dialect);
  const sim = createGhlSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, rateLimit });
  const server = await sim.listen();
  const logger = createLogger('silent');
  const oauth = new GhlOAuthClient({ baseUrl: server.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, timeoutMs: 5_000, logger });
  const tokens = new SimTokenProvider(sim, oauth);
  // The client's limiter is configured exactly like the simulator's window (GHL: 100 / 10 s per location).
  const limiter = new LocalRateLimiter({ max: rateLimit.max, windowMs: rateLimit.windowMs });
  const client = new GhlClient({ baseUrl: server.url, timeoutMs: options.timeoutMs ?? 5_000, tokens, limiter, logger });
  const ghl = options.wrapGhl ? options.wrapGhl(client) : client;
  const inbox = new InboxRepository(db);
  const links = new ContactLinkRepository(db);
  const states = new ContactStateRepository(db);
  const messages = new MessageRepository(db);
  const ownWrites = new OwnWriteRepository(db);
  const settings = new LocationSettingsRepository(db);
  const handler = createResponderEventHandler({
    ghl,
    links,
    states,
    messages,
    ownWrites,
    settings,
    locks: new ResolutionLockRepository(db),
    logger,
    ...options.handlerDeps,
  });
  let offset = 0;
  const worker = new InboxWorker({
    inbox,
    resolveHandler: (e) => (e.source === 'responder' ? handler : undefined),
    logger,
    concurrency: options.concurrency ?? 8,
    pollMs: 5,
    leaseMs: 60_000,
    now: () => Date.now() + offset,
    ...options.worker,
  });
  const company = sim.addCompany();
  const locationIds = new Set<string>();

  const fallback = express();
  fallback.use(errorHandler(logger));
  const responder = responderWebhookRoute({
    connections: {
      locationIdForWebhookKey: async (key: string) => {
        const locationId = key.startsWith('key-') ? key.slice(4) : '';
        return locationIds.has(locationId) ? locationId : null;
      },
    },
    inbox,
    logger,
  });
  const app = webhookLane({ routes: [responder], before: [requestContext(logger)], logger }, fallback);

  const harness: SyncHarness = {
    db,
    sim,
    ghl,
    tokens,
    logger,
    inbox,
    links,
    states,
    messages,
    ownWrites,
    settings,
    worker,
    app,
    companyId: company.id,
    async addLocation(id, opts = {}) {
      const location = sim.addLocation({ id, companyId: company.id, timezone: 'Asia/Jerusalem', ...opts });
      await tokens.install(location.id, company.id);
      locationIds.add(location.id);
      return location.id;
    },
    skipAhead(ms) {
      offset += ms;
    },
    async settle(rounds = 200) {
      for (let i = 0; i < rounds; i += 1) {
        await worker.drain({ timeoutMs: 600_000 });
        const counts = await inbox.countByStatus();
        if (counts.pending + counts.failed + counts.processing === 0) return;
        offset += 15 * 60_000;
      }
      throw new Error('inbox did not settle');
    },
    async close() {
      await worker.stop({ timeoutMs: 1_000 });
      await server.close();
      await db.destroy();
    },
  };
  return harness;
}
