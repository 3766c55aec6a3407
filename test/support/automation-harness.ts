import type { AutomationRuleInput } from '../../shared/contracts/rules';
import type { Dialect } from '../../server/db/database';
import { AutomationRepository } from '../../server/db/repositories/automation-repository';
import { ContactLinkRepository } from '../../server/db/repositories/contact-link-repository';
import { ContactStateRepository } from '../../server/db/repositories/contact-state-repository';
import { InboxRepository } from '../../server/db/repositories/inbox-repository';
import { LocationSettingsRepository } from '../../server/db/repositories/location-settings-repository';
import { MessageRepository } from '../../server/db/repositories/message-repository';
import { OwnWriteRepository } from '../../server/db/repositories/own-write-repository';
import { ResolutionLockRepository } from '../../server/db/repositories/resolution-lock-repository';
import type { ResponderPort } from '../../server/automations/actions/action-env';
import { createGhlEventHandlers, type GhlAutomationDeps } from '../../server/automations/ghl-event-handlers';
import { GhlClient } from '../../server/integrations/ghl/ghl-client';
import { GhlOAuthClient } from '../../server/integrations/ghl/ghl-oauth-client';
import { LocalRateLimiter } from '../../server/integrations/ghl/ghl-rate-limiter';
import { ResponderClient } from '../../server/integrations/responder/responder-client';
import type { ResponderEvent } from '../../server/integrations/responder/responder-event';
import { InboxWorker, type EventHandler } from '../../server/jobs/inbox-worker';
import { createLogger, type Logger } from '../../server/logger';
import { createGhlSimulator, type GhlSimulator, type SimContact } from '../../server/sandbox/ghl-simulator/ghl-simulator';
import { createResponderSimulator, type ResponderSimulator } from '../../server/sandbox/responder-simulator/responder-simulator';
import { createResponderEventHandler } from '../../server/sync/responder-event-handler';
import { ghlInboxFields } from '../../server/webhooks/ghl-webhook-route';
import { SimTokenProvider } from './sync-harness';
import { createTestDb, type TestDb } from './test-db';

const CLIENT_ID = 'autoapp1-client9';
const CLIENT_SECRET = 'auto-secret';
const RESPONDER_CREDENTIALS = { clientId: '4242', clientSecret: 'rl-secret', userToken: 'rl-user-token' };

export interface AutomationHarness {
  db: TestDb;
  sim: GhlSimulator;
  responderSim: ResponderSimulator;
  ghl: GhlClient;
  logger: Logger;
  inbox: InboxRepository;
  links: ContactLinkRepository;
  states: ContactStateRepository;
  ownWrites: OwnWriteRepository;
  settings: LocationSettingsRepository;
  worker: InboxWorker;
  locationId: string;
  /** The Responder list the location's port uses by default. */
  listId: number;
  /** Saves settings with these rules (and options) for the location. */
  setRules(rules: AutomationRuleInput[], options?: { dryRun?: boolean; followUpKeywords?: string[] }): Promise<void>;
  /** A contact in the GHL simulator (and, with `known`, its snapshot as if the app had seen it before). */
  addContact(input: Partial<SimContact>, options?: { known?: boolean }): Promise<SimContact>;
  /** Stores a GHL webhook the way POST /webhooks/ghl does; returns the inbox id. */
  ghlWebhook(type: string, payload: Record<string, unknown>): Promise<string>;
  /** The webhook GHL would send for the contact as the simulator holds it now. */
  contactWebhook(type: string, contactId: string): Promise<string>;
  responderEvent(event: ResponderEvent): Promise<string>;
  /** Moves the worker's and the handlers' clock forward. */
  advance(ms: number): void;
  drain(): Promise<void>;
  /** Requests to GHL's API (token endpoints left out). */
  ghlCalls(): { method: string; path: string; body: unknown }[];
  responderCalls(): { method: string; path: string; body: unknown }[];
  close(): Promise<void>;
}

/** Database, both simulators on loopback, the real clients, the inbox worker, the sync engine and the GHL handlers. */
export async function createAutomationHarness(
  dialect: Dialect,
  options: { burstWindowMs?: number; handlerDeps?: Partial<GhlAutomationDeps>; responderConnected?: boolean } = {},
): Promise<AutomationHarness> {
  const db = await createTestDb(dialect);
  const logger = createLogger('silent');
  const sim = createGhlSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  const ghlServer = await sim.listen();
  const oauth = new GhlOAuthClient({ baseUrl: ghlServer.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, timeoutMs: 5_000, logger });
  const tokens = new SimTokenProvider(sim, oauth);
  const ghl = new GhlClient({ baseUrl: ghlServer.url, timeoutMs: 5_000, tokens, limiter: new LocalRateLimiter({ max: 100, windowMs: 10_000 }), logger });
  const responderSim = createResponderSimulator(RESPONDER_CREDENTIALS);
  const responderServer = await responderSim.listen();
  const list = responderSim.addList({ name: 'לקוחות GHL' });
  const responderClient = new ResponderClient({ baseUrl: `${responderServer.url}/v2`, credentials: RESPONDER_CREDENTIALS, logger });
  const port: ResponderPort = { client: responderClient, defaultListIds: [list.id] };

  const inbox = new InboxRepository(db);
  const links = new ContactLinkRepository(db);
  const states = new ContactStateRepository(db);
  const ownWrites = new OwnWriteRepository(db);
  const settings = new LocationSettingsRepository(db);
  let offset = 0;
  const now = () => Date.now() + offset;

  const automation = new AutomationRepository(db);
  const responderFor = async () => (options.responderConnected === false ? null : port);
  const ghlHandlers: Record<string, EventHandler> = createGhlEventHandlers({
    ghl,
    states,
    ownWrites,
    links,
    settings,
    automation,
    responderFor,
    logger,
    now,
    burstWindowMs: options.burstWindowMs ?? 300,
    ...options.handlerDeps,
  });
  const responderHandler = createResponderEventHandler({
    ghl,
    links,
    states,
    messages: new MessageRepository(db),
    ownWrites,
    settings,
    locks: new ResolutionLockRepository(db),
    logger,
    now,
    automation,
    responderFor,
  });
  const worker = new InboxWorker({
    inbox,
    resolveHandler: (e) => (e.source === 'responder' ? responderHandler : ghlHandlers[e.event_type]),
    logger,
    concurrency: 4,
    pollMs: 5,
    leaseMs: 60_000,
    now,
  });
  const company = sim.addCompany();
  const location = sim.addLocation({ companyId: company.id, timezone: 'Asia/Jerusalem' });
  await tokens.install(location.id, company.id);
  let seq = 0;

  const harness: AutomationHarness = {
    db,
    sim,
    responderSim,
    ghl,
    logger,
    inbox,
    links,
    states,
    ownWrites,
    settings,
    worker,
    locationId: location.id,
    listId: list.id,
    async setRules(rules, o = {}) {
      await settings.save(location.id, {
        rules: rules as never,
        dryRun: o.dryRun ?? false,
        defaults: { followUpKeywords: o.followUpKeywords ?? [] },
      }, 'test');
    },
    async addContact(input, o = {}) {
      const contact = sim.addContact(location.id, input);
      if (o.known) {
        const { type: _type, ...rest } = contact;
        await states.saveSnapshot(location.id, { ...rest, locationId: location.id } as never);
      }
      return contact;
    },
    async ghlWebhook(type, payload) {
      seq += 1;
      const full = { ...payload, type, locationId: location.id };
      const fields = ghlInboxFields(full as never);
      const { id } = await inbox.insert({
        source: 'ghl',
        ...fields,
        dedupeKey: `ghl:test-${Date.now()}-${seq}-${Math.random()}`,
        payload: full,
        rawPayload: JSON.stringify(full),
      });
      return id;
    },
    async contactWebhook(type, contactId) {
      const contact = sim.getContact(contactId);
      if (!contact) throw new Error(`no contact ${contactId}`);
      return harness.ghlWebhook(type, { ...contact, type });
    },
    async responderEvent(event) {
      const { id } = await inbox.insert({
        source: 'responder',
        locationId: location.id,
        dedupeKey: `responder:${location.id}:${event.event_id ?? Math.random()}`,
        eventType: event.event,
        orderingKey: null,
        payload: event,
        rawPayload: null,
        status: 'pending',
      });
      return id;
    },
    advance(ms) {
      offset += ms;
    },
    drain: () => worker.drain({ timeoutMs: 60_000 }),
    ghlCalls: () =>
      sim.requests.filter((r) => !r.path.startsWith('/oauth')).map((r) => ({ method: r.method, path: r.path, body: r.body })),
    responderCalls: () =>
      responderSim.requests.filter((r) => !r.path.includes('/oauth')).map((r) => ({ method: r.method, path: r.path, body: r.body })),
    async close() {
      await worker.stop({ timeoutMs: 1_000 });
      await ghlServer.close();
      await responderServer.close();
      await db.destroy();
    },
  };
  return harness;
}
