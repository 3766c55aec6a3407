import express, { type Express } from 'express';
import request from 'supertest';
import { parseConfig, type Config } from '../../../server/config';
import type { Dialect } from '../../../server/db/database';
import { InstallationRepository } from '../../../server/db/repositories/installation-repository';
import { errorHandler } from '../../../server/errors';
import { panelApiRouter } from '../../../server/http/panel-api-router';
import { requestContext } from '../../../server/http/request-context';
import { GhlClient } from '../../../server/integrations/ghl/ghl-client';
import { GhlOAuthClient } from '../../../server/integrations/ghl/ghl-oauth-client';
import { LocalRateLimiter } from '../../../server/integrations/ghl/ghl-rate-limiter';
import { ResponderClient } from '../../../server/integrations/responder/responder-client';
import { createLogger } from '../../../server/logger';
import { TokenService } from '../../../server/oauth/token-service';
import {
  createGhlSimulator,
  type GhlSimulator,
  type RecordedRequest,
  type SimUser,
} from '../../../server/sandbox/ghl-simulator/ghl-simulator';
import {
  createResponderSimulator,
  type ResponderSimulator,
} from '../../../server/sandbox/responder-simulator/responder-simulator';
import { SecretBox } from '../../../server/security/secret-box';
import { encryptSsoPayload } from '../../../server/security/sso-crypto';
import { createTestDb, type TestDb } from '../../support/test-db';

export const SSO_KEY = 'panel-test-shared-secret';
export const SESSION_SECRET = 'panel-test-session-secret-0123456789';
export const PUBLIC_URL = 'https://app.example.test';
const CLIENT_ID = 'paneltest-client';
const CLIENT_SECRET = 'panel-client-secret';
export const RESPONDER_CREDENTIALS = { clientId: '1234', clientSecret: 'responder-secret', userToken: 'responder-user-token' };

export interface InstalledLocation {
  id: string;
  companyId: string;
  admin: SimUser;
  user: SimUser;
}

export interface PanelWorld {
  db: TestDb;
  app: Express;
  config: Config;
  sim: GhlSimulator;
  responder: ResponderSimulator;
  box: SecretBox;
  installations: InstallationRepository;
  /** A location of its own company, installed (tokens stored), with an admin and a plain user. */
  installLocation(input?: { name?: string; timezone?: string }): Promise<InstalledLocation>;
  /** GHL's encrypted user context for a user inside `locationId` (or agency-only when null). */
  ssoPayload(user: SimUser, locationId: string | null, companyId: string, role?: 'admin' | 'user'): string;
  /** A panel token obtained through POST /api/session, like the panel does. */
  sessionToken(location: InstalledLocation, role?: 'admin' | 'user'): Promise<string>;
  close(): Promise<void>;
}

/**
 * The panel API over a real database, the GHL simulator and the Responder simulator on loopback: token service,
 * rate limiter and GHL client wired as in production; the router mounted as the lead mounts it.
 */
export async function startPanelWorld(dialect: Dialect, options: { idempotencyWaitMs?: number } = {}): Promise<PanelWorld> {
  const db = await createTestDb(dialect);
  const sim = createGhlSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  const simServer = await sim.listen();
  const responder = createResponderSimulator({ ...RESPONDER_CREDENTIALS });
  const responderServer = await responder.listen();
  const logger = createLogger('silent');
  const config = parseConfig(
    {
      PUBLIC_URL,
      GHL_API_BASE_URL: simServer.url,
      RESPONDER_API_BASE_URL: `${responderServer.url}/v2`,
      GHL_CLIENT_ID: CLIENT_ID,
      GHL_CLIENT_SECRET: CLIENT_SECRET,
      GHL_SSO_KEY: SSO_KEY,
      SESSION_SECRET,
      APP_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    },
    () => {
      throw new Error('not sandbox');
    },
  );
  const box = new SecretBox(config.encryption.key);
  const installations = new InstallationRepository(db, box);
  const oauth = new GhlOAuthClient({ baseUrl: simServer.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, timeoutMs: 5000, logger });
  const tokens = new TokenService({ installations, oauth, logger });
  const ghl = new GhlClient({
    baseUrl: simServer.url,
    timeoutMs: 5000,
    tokens,
    limiter: new LocalRateLimiter({ max: 100, windowMs: 10_000 }),
    logger,
  });

  const app = express();
  app.use(requestContext(logger));
  app.use(
    panelApiRouter({
      config,
      logger,
      db,
      box,
      ghl,
      responderClient: (credentials, tokenCache) =>
        new ResponderClient({ baseUrl: config.responder.apiBaseUrl, timeoutMs: 5000, credentials, logger, ...(tokenCache ? { tokenCache } : {}) }),
      idempotency: { waitMs: options.idempotencyWaitMs ?? 5000, pollMs: 10 },
    }),
  );
  app.use(errorHandler(logger));

  const ssoPayload: PanelWorld['ssoPayload'] = (user, locationId, companyId, role = user.role) =>
    encryptSsoPayload(
      {
        userId: user.id,
        companyId,
        role,
        type: 'agency',
        userName: `${user.firstName} ${user.lastName}`,
        email: user.email,
        ...(locationId ? { activeLocation: locationId } : {}),
      },
      SSO_KEY,
    );

  let closed = false;
  return {
    db,
    app,
    config,
    sim,
    responder,
    box,
    installations,
    async installLocation(input = {}) {
      const company = sim.addCompany();
      const location = sim.addLocation({ companyId: company.id, ...input });
      const admin = sim.addUser(location.id, { firstName: 'דנה', lastName: 'כהן', email: 'dana@example.com', role: 'admin' });
      const user = sim.addUser(location.id, { firstName: 'Avi', lastName: 'Levi', email: 'avi@example.com', role: 'user' });
      const code = sim.createAuthCode({ userType: 'Location', companyId: company.id, locationId: location.id, userId: admin.id });
      const answer = await oauth.exchangeCode({ code, redirectUri: `${PUBLIC_URL}/oauth/callback`, userType: 'Location' });
      await installations.upsertLocationInstallation({
        locationId: location.id,
        companyId: company.id,
        tokenSource: 'location',
        tokens: {
          accessToken: answer.access_token,
          refreshToken: answer.refresh_token ?? null,
          expiresAt: Date.now() + answer.expires_in * 1000,
          scopes: answer.scope,
        },
        name: location.name,
        timezone: location.timezone,
        installedByUserId: admin.id,
        now: Date.now(),
      });
      return { id: location.id, companyId: company.id, admin, user };
    },
    ssoPayload,
    async sessionToken(location, role = 'user') {
      const user = role === 'admin' ? location.admin : location.user;
      const res = await request(app)
        .post('/api/session')
        .send({ ssoPayload: ssoPayload(user, location.id, location.companyId, role) });
      if (res.status !== 200) throw new Error(`session failed: ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body as { data: { token: string } }).data.token;
    },
    async close() {
      // Idempotent: a later test whose start failed must not close this world a second time.
      if (closed) return;
      closed = true;
      await simServer.close();
      await responderServer.close();
      await db.destroy();
    },
  };
}

/** Only the API calls the simulator received (the token endpoint left out). */
export function apiCalls(sim: GhlSimulator): RecordedRequest[] {
  return sim.requests.filter((r) => !r.path.startsWith('/oauth/'));
}

/** `Authorization` header value for a panel token. */
export const bearer = (token: string) => `Bearer ${token}`;
