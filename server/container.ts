import type { Config } from './config';
import type { Db } from './db/database';
import { ContactLinkRepository } from './db/repositories/contact-link-repository';
import { ContactStateRepository } from './db/repositories/contact-state-repository';
import { InboxRepository } from './db/repositories/inbox-repository';
import { InstallationRepository } from './db/repositories/installation-repository';
import { LocationSettingsRepository } from './db/repositories/location-settings-repository';
import { MessageRepository } from './db/repositories/message-repository';
import { OwnWriteRepository } from './db/repositories/own-write-repository';
import { RateLimitRepository } from './db/repositories/rate-limit-repository';
import { ResolutionLockRepository } from './db/repositories/resolution-lock-repository';
import { ResponderConnectionRepository } from './db/repositories/responder-connection-repository';
import { GhlClient } from './integrations/ghl/ghl-client';
import { GhlOAuthClient } from './integrations/ghl/ghl-oauth-client';
import { LocalRateLimiter, type GhlRateLimiter } from './integrations/ghl/ghl-rate-limiter';
import { SharedRateLimiter } from './integrations/ghl/ghl-shared-rate-limiter';
import type { InboxEventRow } from './db/schema';
import type { EventHandler } from './jobs/inbox-worker';
import type { Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { InstallService } from './oauth/install-service';
import { TokenService } from './oauth/token-service';
import { SecretBox } from './security/secret-box';
import { ResolutionLock } from './sync/resolution-lock';
import { createResponderEventHandler } from './sync/responder-event-handler';
import { responderPortFactory } from './automations/actions/responder-port';
import { createGhlEventHandlers } from './automations/ghl-event-handlers';
import { AutomationRepository } from './db/repositories/automation-repository';
import { ResponderListChoiceRepository } from './db/repositories/responder-list-choice-repository';
import { ghlInstallHandlers } from './webhooks/ghl-install-handlers';

/** Everything the app and the worker share, built once per process from the config and the database. */
export interface Services {
  config: Config;
  logger: Logger;
  db: Db;
  box: SecretBox;
  metrics: Metrics;
  installations: InstallationRepository;
  inbox: InboxRepository;
  connections: ResponderConnectionRepository;
  settings: LocationSettingsRepository;
  links: ContactLinkRepository;
  states: ContactStateRepository;
  messages: MessageRepository;
  ownWrites: OwnWriteRepository;
  oauth: GhlOAuthClient;
  tokens: TokenService;
  installs: InstallService;
  limiter: GhlRateLimiter;
  ghl: GhlClient;
  /** Which handler runs a stored event (undefined → the worker marks it ignored). */
  resolveHandler: (event: InboxEventRow) => EventHandler | undefined;
}

export interface ServiceOverrides {
  /** Replace the GHL rate limiter (tests, or the database-shared one for several processes). */
  limiter?: GhlRateLimiter;
  now?: () => number;
}

export function buildServices(config: Config, logger: Logger, db: Db, overrides: ServiceOverrides = {}): Services {
  const box = new SecretBox(config.encryption.key, config.encryption.previousKeys);
  const installations = new InstallationRepository(db, box);
  const inbox = new InboxRepository(db);
  const metrics = createMetrics({
    queueDepth: () => inbox.countByStatus(),
    oldestPendingAgeMs: () => inbox.oldestPendingAgeMs(),
  });
  const oauth = new GhlOAuthClient({
    baseUrl: config.ghl.apiBaseUrl,
    clientId: config.ghl.clientId,
    clientSecret: config.ghl.clientSecret,
    timeoutMs: config.ghl.timeoutMs,
    logger: logger.child({ area: 'ghl-oauth' }),
  });
  const tokens = new TokenService({
    installations,
    oauth,
    logger: logger.child({ area: 'tokens' }),
    metrics,
    ...(overrides.now ? { now: overrides.now } : {}),
  });
  const installs = new InstallService({
    installations,
    tokens,
    oauth,
    appId: config.ghl.appId,
    logger: logger.child({ area: 'install' }),
  });
  // On PostgreSQL (the scale-out path) several web and worker processes call GHL for one location: the window
  // is kept in the database so together they stay inside its per-location budget (ghl-platform.md §5).
  const limiter =
    overrides.limiter ??
    (db.dialect === 'postgres'
      ? new SharedRateLimiter({
          ...config.ghl.rateLimit,
          repository: new RateLimitRepository(db),
          logger: logger.child({ area: 'ghl-rate-limit' }),
        })
      : new LocalRateLimiter(config.ghl.rateLimit));
  const ghl = new GhlClient({
    baseUrl: config.ghl.apiBaseUrl,
    timeoutMs: config.ghl.timeoutMs,
    tokens,
    limiter,
    logger: logger.child({ area: 'ghl' }),
    onCall: (call) => {
      metrics.ghlCalls.inc({ status: String(call.status), method: call.method });
      if (call.status === 429) metrics.ghlRateLimited.inc();
    },
  });
  const services = {
    config,
    logger,
    db,
    box,
    metrics,
    installations,
    inbox,
    connections: new ResponderConnectionRepository(db, box),
    settings: new LocationSettingsRepository(db),
    links: new ContactLinkRepository(db),
    states: new ContactStateRepository(db),
    messages: new MessageRepository(db),
    ownWrites: new OwnWriteRepository(db),
    oauth,
    tokens,
    installs,
    limiter,
    ghl,
  };

  // Automations (issue 5): the rules' Responder Live client per location, round-robin counters, GHL handlers.
  const automation = new AutomationRepository(db);
  const responderFor = responderPortFactory({
    connections: services.connections,
    listChoices: new ResponderListChoiceRepository(db),
    responderConfig: config.responder,
    logger: logger.child({ area: 'responder' }),
  });
  const timezoneOf = async (locationId: string) => (await installations.getLocation(locationId))?.timezone;
  const ghlHandlers: Record<string, EventHandler> = createGhlEventHandlers({
    ghl,
    states: services.states,
    ownWrites: services.ownWrites,
    links: services.links,
    settings: services.settings,
    automation,
    responderFor,
    timezoneOf,
    logger: logger.child({ area: 'automations' }),
  });
  const responderHandler = createResponderEventHandler({
    automation,
    responderFor,
    ghl,
    links: services.links,
    states: services.states,
    messages: services.messages,
    ownWrites: services.ownWrites,
    settings: services.settings,
    resolutionLock: new ResolutionLock({ repo: new ResolutionLockRepository(db) }),
    logger: logger.child({ area: 'sync' }),
    timezoneOf,
  });
  const lifecycle = ghlInstallHandlers({ config, logger, installations, tokens, oauth, inbox });
  const resolveHandler = (event: InboxEventRow): EventHandler | undefined => {
    if (event.source === 'responder') return responderHandler;
    if (event.event_type === 'INSTALL' || event.event_type === 'UNINSTALL') return lifecycle[event.event_type];
    return Object.hasOwn(ghlHandlers, event.event_type) ? ghlHandlers[event.event_type] : undefined;
  };
  return { ...services, resolveHandler };
}
