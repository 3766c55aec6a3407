import { createLogger } from '../../../../server/logger';
import { GhlClient, type GhlCallInfo, type GhlTokenProvider } from '../../../../server/integrations/ghl/ghl-client';
import { GhlOAuthClient } from '../../../../server/integrations/ghl/ghl-oauth-client';
import { LocalRateLimiter, type GhlRateLimiter } from '../../../../server/integrations/ghl/ghl-rate-limiter';
import { createGhlSimulator } from '../../../../server/sandbox/ghl-simulator/ghl-simulator';

export const CLIENT_ID = 'testapp-client';
export const CLIENT_SECRET = 'test-client-secret';
export const REDIRECT_URI = 'http://127.0.0.1/oauth/callback';

export const silentLogger = createLogger('silent');

/** Token provider over the simulator's real token endpoint, counting the refreshes the client asks for. */
export class TestTokenProvider implements GhlTokenProvider {
  readonly tokens = new Map<string, { access: string; refresh: string }>();
  readonly refreshCalls: { locationId: string; failedToken: string }[] = [];
  /** When set, a refresh hands back this token instead of asking GHL (to provoke a second 401). */
  refreshOverride: string | undefined;

  constructor(private readonly oauth: GhlOAuthClient) {}

  async getAccessToken(locationId: string): Promise<string> {
    const entry = this.tokens.get(locationId);
    if (!entry) throw new Error(`no token for ${locationId}`);
    return entry.access;
  }

  async refreshAfterUnauthorized(locationId: string, failedToken: string): Promise<string> {
    this.refreshCalls.push({ locationId, failedToken });
    if (this.refreshOverride !== undefined) return this.refreshOverride;
    const entry = this.tokens.get(locationId)!;
    const answer = await this.oauth.refresh({ refreshToken: entry.refresh, userType: 'Location' });
    this.tokens.set(locationId, { access: answer.access_token, refresh: answer.refresh_token! });
    return answer.access_token;
  }
}

export type GhlSimulator = ReturnType<typeof createGhlSimulator>;

export interface GhlWorld {
  sim: GhlSimulator;
  url: string;
  companyId: string;
  oauth: GhlOAuthClient;
  tokens: TestTokenProvider;
  limiter: GhlRateLimiter;
  calls: GhlCallInfo[];
  client: GhlClient;
  /** A new location in the company with the app installed and its token in `tokens`. */
  addInstalledLocation(): Promise<string>;
  /** Stops the simulator; safe to call twice. */
  close(): Promise<void>;
}

/**
 * A simulator on an ephemeral loopback port, one company, a client wired to it. The limiter mirrors the
 * simulator's window unless one is passed.
 */
export async function startGhlWorld(
  options: {
    rateLimit?: { max: number; windowMs: number };
    timeoutMs?: number;
    limiter?: GhlRateLimiter;
  } = {},
): Promise<GhlWorld> {
  const rateLimit = options.rateLimit ?? { max: 100, windowMs: 10_000 };
  const sim = createGhlSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, rateLimit });
  const server = await sim.listen();
  const company = sim.addCompany();
  const oauth = new GhlOAuthClient({
    baseUrl: server.url,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    timeoutMs: 5000,
    logger: silentLogger,
  });
  const tokens = new TestTokenProvider(oauth);
  const limiter = options.limiter ?? new LocalRateLimiter(rateLimit);
  const calls: GhlCallInfo[] = [];
  const client = new GhlClient({
    baseUrl: server.url,
    timeoutMs: options.timeoutMs ?? 5000,
    tokens,
    limiter,
    logger: silentLogger,
    onCall: (info) => calls.push(info),
  });

  let closing: Promise<void> | undefined;
  const addInstalledLocation = async () => {
    const location = sim.addLocation({ companyId: company.id });
    const code = sim.createAuthCode({ userType: 'Location', companyId: company.id, locationId: location.id });
    const answer = await oauth.exchangeCode({ code, redirectUri: REDIRECT_URI, userType: 'Location' });
    tokens.tokens.set(location.id, { access: answer.access_token, refresh: answer.refresh_token! });
    return location.id;
  };

  return {
    sim,
    url: server.url,
    companyId: company.id,
    oauth,
    tokens,
    limiter,
    calls,
    client,
    addInstalledLocation,
    close: () => (closing ??= server.close()),
  };
}

/** The simulator's record of API calls (token endpoint excluded). */
export function apiRequests(sim: GhlSimulator) {
  return sim.requests.filter((r) => !r.path.startsWith('/oauth/token'));
}
