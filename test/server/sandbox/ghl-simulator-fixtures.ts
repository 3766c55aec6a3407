import {
  createGhlSimulator,
  type GhlSimulator,
  type GhlSimulatorOptions,
  type SimLocation,
} from '../../../server/sandbox/ghl-simulator/ghl-simulator';

// Shared arrangement for the simulator's own tests: plain fetch over loopback, no GHL client.

export const CLIENT_ID = '6578278e879ad2646715ba9c-lx1sim';
export const APP_ID = '6578278e879ad2646715ba9c';
export const CLIENT_SECRET = 'sim-client-secret';
export const VERSION = '2021-07-28';

export interface Harness {
  sim: GhlSimulator;
  url: string;
  close(): Promise<void>;
}

export async function startSimulator(options: Partial<GhlSimulatorOptions> = {}): Promise<Harness> {
  const sim = createGhlSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...options });
  const server = await sim.listen();
  return { sim, url: server.url, close: server.close };
}

/** A controllable clock for the grace window, token expiry and rate-limit windows. */
export function fakeClock(start = Date.UTC(2026, 0, 1)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

export function postForm(url: string, values: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(values).toString(),
  });
}

export interface TokenBody {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  userType: 'Location' | 'Company';
  locationId?: string;
  companyId: string;
  approvedLocations?: string[];
  isBulkInstallation?: boolean;
  userId: string;
}

export function exchangeCode(h: Harness, code: string, extra: Record<string, string> = {}) {
  return postForm(`${h.url}/oauth/token`, {
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    grant_type: 'authorization_code',
    code,
    ...extra,
  });
}

export function refresh(h: Harness, refreshToken: string) {
  return postForm(`${h.url}/oauth/token`, {
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
  });
}

/** `fetch` against the simulator's API with the bearer and Version headers GHL wants. */
export function apiCall(
  h: Harness,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return fetch(`${h.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      version: VERSION,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export interface LocationSession {
  location: SimLocation;
  token: TokenBody;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** A location with the app installed and a Location token for it. */
export async function locationSession(
  h: Harness,
  input: Parameters<GhlSimulator['addLocation']>[0] = {},
): Promise<LocationSession> {
  const location = h.sim.addLocation(input);
  h.sim.addUser(location.id, { firstName: 'Dana', lastName: 'Levi', email: 'dana@example.com' });
  const code = h.sim.createAuthCode({ userType: 'Location', companyId: location.companyId, locationId: location.id });
  const response = await exchangeCode(h, code);
  if (response.status !== 200) throw new Error(`token exchange failed: ${response.status}`);
  const token = (await response.json()) as TokenBody;
  return {
    location,
    token,
    call: (method, path, body, headers) => apiCall(h, token.access_token, method, path, body, headers),
  };
}
