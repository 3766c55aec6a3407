import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { apiGuard } from './simulator-api-guard';
import { contactRoutes } from './simulator-contact-routes';
import type { SimContext, SimStats } from './simulator-context';
import { directoryRoutes } from './simulator-directory-routes';
import { FaultSwitch, type GhlFaults } from './simulator-faults';
import { ghlError, simulatorErrorHandler } from './simulator-http';
import { createAuthCode, oauthApiRoutes, oauthPublicRoutes } from './simulator-oauth-routes';
import { RateLimiter } from './simulator-rate-limit';
import { requestRecorder, type RecordedRequest } from './simulator-request-log';
import type {
  SimAppointment,
  SimCompany,
  SimContact,
  SimLocation,
  SimNote,
  SimTask,
  SimUser,
} from './simulator-entities';
import { SimulatorState } from './simulator-state';
import { taskNoteRoutes } from './simulator-task-note-routes';
import { TokenStore } from './simulator-tokens';
import { WebhookSigner } from './simulator-webhooks';

export type { GhlFaults } from './simulator-faults';
export type { RecordedRequest } from './simulator-request-log';
export type { SimStats } from './simulator-context';
export type {
  SimAppointment,
  SimCompany,
  SimContact,
  SimCustomField,
  SimDndSetting,
  SimLocation,
  SimNote,
  SimTask,
  SimUser,
} from './simulator-entities';

export interface GhlSimulatorOptions {
  clientId: string;
  clientSecret: string;
  /** Default 100 per 10_000 ms, per resource (location or company). */
  rateLimit?: { max: number; windowMs: number };
  /** Default 200_000. */
  dailyLimit?: number;
  /** Default 86399. */
  accessTokenTtlSeconds?: number;
  /** Ed25519 PKCS8 PEM for x-ghl-signature; generated when absent. */
  webhookPrivateKeyPem?: string;
  /** RSA PEM for legacy x-wh-signature; generated (2048 bit) when absent. */
  rsaPrivateKeyPem?: string;
  /** Clock, default Date.now. */
  now?: () => number;
  /** Oldest records are dropped past this many (a long-running sandbox must not grow forever). Default 50_000. */
  maxRecordedRequests?: number;
}

export interface GhlSimulator {
  /** Mountable: `parent.use('/sandbox-ghl', sim.app)`. */
  readonly app: Express;
  /** Listens on 127.0.0.1, ephemeral port; `url` has no trailing slash. `close()` also drops hanging calls. */
  listen(): Promise<{ url: string; close(): Promise<void> }>;
  /** The add* methods return the live records: changing a location's duplicate settings takes effect at once. */
  addCompany(input?: { id?: string; name?: string; installToFutureLocations?: boolean }): SimCompany;
  addLocation(input?: {
    id?: string;
    companyId?: string;
    name?: string;
    /** Default 'Asia/Jerusalem'. */
    timezone?: string;
    /** Default region for phone matching: IL for Asia/Jerusalem, else US. */
    country?: string;
    address?: string;
    allowDuplicateContact?: boolean;
    duplicatePriority?: ('email' | 'phone')[];
  }): SimLocation;
  addUser(
    locationId: string,
    input?: { id?: string; firstName?: string; lastName?: string; email?: string; role?: 'admin' | 'user' },
  ): SimUser;
  /** Seeds directly: no duplicate rules, no request recorded. */
  addContact(locationId: string, input: Partial<SimContact>): SimContact;
  addAppointment(locationId: string, contactId: string, input?: Partial<SimAppointment>): SimAppointment;
  /** What the consent screen does: returns an authorization code for /oauth/token. */
  createAuthCode(input: {
    userType: 'Location' | 'Company';
    companyId: string;
    locationId?: string;
    approvedLocations?: string[];
    isBulkInstallation?: boolean;
    userId?: string;
    scope?: string;
    redirectUri?: string;
  }): string;
  /** Mark the app installed on a location for /oauth/installedLocations (createAuthCode does it too). */
  installApp(locationId: string): void;
  getContacts(locationId: string): SimContact[];
  getContact(contactId: string): SimContact | undefined;
  getNotes(contactId: string): SimNote[];
  getTasks(contactId: string): SimTask[];
  getLocation(locationId: string): SimLocation | undefined;
  /** Every request, in the order answers were written. */
  readonly requests: RecordedRequest[];
  clearRequests(): void;
  readonly stats: SimStats;
  /** Max requests seen for one resource inside any rate-limit window (so tests can assert the limit was held). */
  peakWindowCount(resourceId: string): number;
  setFaults(faults: Partial<GhlFaults>): void;
  resetFaults(): void;
  /** Every issued access token becomes expired → 401 on use. */
  expireAccessTokens(): void;
  /** Refresh → 400 invalid_grant for the resource's (or every) refresh token. */
  revokeRefreshTokens(resourceId?: string): void;
  /** Refresh → 400 "Location is not active" (and no new location tokens). */
  deactivateLocation(locationId: string): void;
  activateLocation(locationId: string): void;
  /** Ed25519 SPKI PEM. */
  readonly webhookPublicKeyPem: string;
  readonly rsaPublicKeyPem: string;
  /** base64 signatures over the exact bytes. */
  sign(rawBody: string | Buffer): { ed25519: string; rsa: string };
  /** Adds webhookId (uuid) and timestamp (ISO) unless present, serialises once, signs those bytes, POSTs JSON. */
  sendWebhook(
    url: string,
    payload: object,
    options?: { scheme?: 'ed25519' | 'rsa' | 'both' | 'none' },
  ): Promise<{ status: number; body: string }>;
}

/** An in-memory GoHighLevel: OAuth, contacts, notes, tasks, tags, users, locations, limits, faults, webhooks. */
export function createGhlSimulator(options: GhlSimulatorOptions): GhlSimulator {
  if (!options.clientId || !options.clientSecret) throw new Error('GHL simulator: clientId and clientSecret are required');
  const now = options.now ?? Date.now;
  const rateLimit = options.rateLimit ?? { max: 100, windowMs: 10_000 };
  const state = new SimulatorState(now);
  const ctx: SimContext = {
    state,
    tokens: new TokenStore(now, options.accessTokenTtlSeconds ?? 86_399),
    limiter: new RateLimiter({ ...rateLimit, dailyLimit: options.dailyLimit ?? 200_000 }, now),
    faults: new FaultSwitch(),
    stats: { refreshes: 0, tokenExchanges: 0, locationTokens: 0, rateLimited: 0 },
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    appId: options.clientId.split('-')[0]!,
    now,
  };
  const requests: RecordedRequest[] = [];
  const signer = new WebhookSigner(options.webhookPrivateKeyPem, options.rsaPrivateKeyPem);
  const app = buildApp(ctx, requests, options.maxRecordedRequests ?? 50_000);
  const copy = <T>(value: T): T => structuredClone(value);

  return {
    app,
    listen: () => listenOn(app),
    addCompany: (input) => state.addCompany(input),
    addLocation: (input) => state.addLocation(input),
    addUser: (locationId, input) => state.addUser(locationId, input),
    addContact: (locationId, input) => state.addContact(locationId, input),
    addAppointment: (locationId, contactId, input) => state.addAppointment(locationId, contactId, input),
    createAuthCode: (input) => createAuthCode(ctx, input),
    installApp: (locationId) => state.installApp(locationId),
    getContacts: (locationId) => state.contactsOf(locationId).map(copy),
    getContact: (contactId) => {
      const contact = state.contacts.get(contactId);
      return contact && copy(contact);
    },
    getNotes: (contactId) => state.notesOf(contactId).map(copy),
    getTasks: (contactId) => state.tasksOf(contactId).map(copy),
    getLocation: (locationId) => {
      const location = state.locations.get(locationId);
      return location && copy(location);
    },
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    stats: ctx.stats,
    peakWindowCount: (resourceId) => ctx.limiter.peak(resourceId),
    setFaults: (faults) => ctx.faults.set(faults),
    resetFaults: () => ctx.faults.reset(),
    expireAccessTokens: () => ctx.tokens.expireAccessTokens(),
    revokeRefreshTokens: (resourceId) => ctx.tokens.revokeRefreshTokens(resourceId),
    deactivateLocation: (locationId) => {
      state.requireLocation(locationId).active = false;
    },
    activateLocation: (locationId) => {
      state.requireLocation(locationId).active = true;
    },
    get webhookPublicKeyPem() {
      return signer.ed25519PublicKeyPem;
    },
    get rsaPublicKeyPem() {
      return signer.rsaPublicKeyPem;
    },
    sign: (rawBody) => signer.sign(rawBody),
    sendWebhook: (url, payload, sendOptions) => signer.send(url, payload, sendOptions?.scheme ?? 'both', now),
  };
}

function buildApp(ctx: SimContext, requests: RecordedRequest[], maxRecorded: number): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(requestRecorder(requests, ctx.now, maxRecorded));
  app.use((_req, _res, next) => {
    const { latencyMs } = ctx.faults.current;
    if (latencyMs > 0) setTimeout(next, latencyMs);
    else next();
  });
  app.use(express.json({ limit: '1mb' }));
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));
  app.use(oauthPublicRoutes(ctx));
  app.use(apiGuard(ctx));
  app.use(oauthApiRoutes(ctx));
  app.use(contactRoutes(ctx));
  app.use(taskNoteRoutes(ctx));
  app.use(directoryRoutes(ctx));
  app.use((req) => {
    throw ghlError(404, `Cannot ${req.method} ${req.path}`, { error: 'Not Found' });
  });
  app.use(simulatorErrorHandler);
  return app;
}

async function listenOn(app: Express): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Hanging (timeout-fault) calls and idle keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
