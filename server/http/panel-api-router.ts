import express, { Router, type RequestHandler } from 'express';
import type { Config } from '../config';
import type { Db } from '../db/database';
import { ContactStateRepository } from '../db/repositories/contact-state-repository';
import { IdempotencyRepository } from '../db/repositories/idempotency-repository';
import { InboxRepository } from '../db/repositories/inbox-repository';
import { InstallationRepository } from '../db/repositories/installation-repository';
import { LocationSettingsRepository } from '../db/repositories/location-settings-repository';
import { MessageRepository } from '../db/repositories/message-repository';
import { OwnWriteRepository } from '../db/repositories/own-write-repository';
import { ResponderConnectionRepository } from '../db/repositories/responder-connection-repository';
import { ResponderListChoiceRepository } from '../db/repositories/responder-list-choice-repository';
import type { GhlClient } from '../integrations/ghl/ghl-client';
import type { Logger } from '../logger';
import { ContactAccess } from '../panel/contact-access';
import { PanelActivityService } from '../panel/panel-activity-service';
import { PanelContactsService } from '../panel/panel-contacts-service';
import { PanelRecordsService } from '../panel/panel-records-service';
import { assertInstalled, PanelSessionService } from '../panel/panel-session-service';
import { PanelSettingsService, type ResponderClientFactory } from '../panel/panel-settings-service';
import type { SecretBox } from '../security/secret-box';
import { activityRoutes } from './activity-routes';
import { appointmentsRoutes } from './appointments-routes';
import { contactsRoutes } from './contacts-routes';
import { IdempotencyService, type IdempotencyOptions } from './idempotency';
import { messagesRoutes } from './messages-routes';
import { notesRoutes } from './notes-routes';
import { panelSessionOf, requirePanelSession } from './panel-auth';
import { sessionRoute } from './session-route';
import { settingsRoutes } from './settings-routes';
import { tagsRoutes } from './tags-routes';
import { tasksRoutes } from './tasks-routes';
import { mapUpstreamErrors } from './upstream-error-map';
import { usersRoutes } from './users-routes';

export interface PanelApiDeps {
  config: Config;
  logger: Logger;
  db: Db;
  /** Seals Responder credentials at rest (the same box as the installation tokens). */
  box: SecretBox;
  /** The GHL client the worker uses too (token service, rate limiter). */
  ghl: GhlClient;
  /** Builds a Responder Live client for a location's credentials; default: config.responder.apiBaseUrl. */
  responderClient?: ResponderClientFactory;
  clock?: () => number;
  idempotency?: IdempotencyOptions;
}

/** A session outlives an UNINSTALL by up to 15 minutes; every request checks the location is still installed. */
function requireInstalledLocation(installations: InstallationRepository): RequestHandler {
  return async (req, _res, next) => {
    assertInstalled(await installations.getLocation(panelSessionOf(req).locationId));
    next();
  };
}

/**
 * The panel API (SPEC §2): every `/api/*` route, mounted by the app with `app.use(panelApiRouter(deps))`.
 * POST /api/session is open; everything else needs the panel's bearer token and only ever touches its location.
 */
export function panelApiRouter(deps: PanelApiDeps): Router {
  const { config, logger, db, ghl } = deps;
  const clock = deps.clock ?? Date.now;
  const installations = new InstallationRepository(db, deps.box);
  const settingsRepo = new LocationSettingsRepository(db);
  const access = new ContactAccess(ghl, clock);
  const idempotency = new IdempotencyService(new IdempotencyRepository(db), logger, { clock, ...deps.idempotency });

  const sessions = new PanelSessionService({
    ssoKey: config.ghl.ssoKey,
    sessionSecret: config.sessionSecret,
    installations,
    settings: settingsRepo,
    ghl,
    logger,
    clock,
  });
  const contacts = new PanelContactsService(ghl, access, new ContactStateRepository(db), new MessageRepository(db));
  const records = new PanelRecordsService(ghl, access, new OwnWriteRepository(db), logger, clock);
  const activity = new PanelActivityService(new InboxRepository(db), clock);
  const settings = new PanelSettingsService({
    settings: settingsRepo,
    connections: new ResponderConnectionRepository(db, deps.box),
    listChoices: new ResponderListChoiceRepository(db),
    publicUrl: config.publicUrl,
    responderClient: deps.responderClient,
    responderConfig: config.responder,
    logger,
    clock,
  });

  const api = Router();
  api.use(express.json({ limit: '100kb' }));
  api.use(sessionRoute(sessions));
  api.use(requirePanelSession(config.sessionSecret, clock), requireInstalledLocation(installations));
  api.use(contactsRoutes(contacts));
  api.use(messagesRoutes(contacts));
  api.use(notesRoutes(records, idempotency));
  api.use(tasksRoutes(records, idempotency));
  api.use(tagsRoutes(records, idempotency));
  api.use(appointmentsRoutes(records));
  api.use(usersRoutes(contacts));
  api.use(settingsRoutes(settings, idempotency));
  api.use(activityRoutes(activity, idempotency));
  api.use(mapUpstreamErrors);

  const root = Router();
  root.use('/api', api);
  return root;
}
