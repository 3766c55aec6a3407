import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGhlSimulator } from '../../../server/sandbox/ghl-simulator/ghl-simulator';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  apiCall,
  exchangeCode,
  fakeClock,
  locationSession,
  startSimulator,
  type Harness,
  type TokenBody,
} from './ghl-simulator-fixtures';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(options: Parameters<typeof startSimulator>[0] = {}) {
  harness = await startSimulator(options);
  return harness;
}

const RATE_HEADERS = [
  'x-ratelimit-limit-daily',
  'x-ratelimit-daily-remaining',
  'x-ratelimit-interval-milliseconds',
  'x-ratelimit-max',
  'x-ratelimit-remaining',
];

describe('GHL simulator API guard', () => {
  it('auth › no bearer › 401 Invalid JWT, recorded without a resource', async () => {
    const h = await start();
    const location = h.sim.addLocation();

    const response = await fetch(`${h.url}/locations/${location.id}`, { headers: { version: '2021-07-28' } });

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ statusCode: 401, message: 'Invalid JWT' });
    expect(h.sim.requests.at(-1)).toMatchObject({ path: `/locations/${location.id}`, status: 401, resourceId: undefined });
  });

  it('auth › unknown bearer › 401 Invalid JWT', async () => {
    const h = await start();
    const location = h.sim.addLocation();

    const response = await apiCall(h, 'not-a-token', 'GET', `/locations/${location.id}`);

    expect(response.status).toBe(401);
  });

  it('Version header › missing › 400, present › 200', async () => {
    const h = await start();
    const session = await locationSession(h);

    const missing = await fetch(`${h.url}/locations/${session.location.id}`, {
      headers: { authorization: `Bearer ${session.token.access_token}` },
    });
    const present = await session.call('GET', `/locations/${session.location.id}`);

    expect(missing.status).toBe(400);
    expect(present.status).toBe(200);
    expect(h.sim.requests.map((r) => r.versionHeader)).toEqual([undefined, undefined, '2021-07-28']);
  });

  it('Version header › another version › 400', async () => {
    const h = await start();
    const session = await locationSession(h);

    const response = await session.call('GET', `/locations/${session.location.id}`, undefined, { version: '2021-04-15' });

    expect(response.status).toBe(400);
  });

  it('location scope › contact of another location › 401 no access to this location', async () => {
    const h = await start();
    const mine = await locationSession(h);
    const theirs = h.sim.addLocation();
    const foreign = h.sim.addContact(theirs.id, { email: 'foreign@example.com' });

    const read = await mine.call('GET', `/contacts/${foreign.id}`);
    const create = await mine.call('POST', '/contacts/', { locationId: theirs.id, email: 'x@example.com' });

    expect(read.status).toBe(401);
    expect(await read.json()).toMatchObject({ message: 'The token does not have access to this location' });
    expect(create.status).toBe(401);
    expect(h.sim.getContacts(theirs.id)).toHaveLength(1);
  });

  it('token type › Company token on contacts › 401', async () => {
    const h = await start();
    const location = h.sim.addLocation();
    const contact = h.sim.addContact(location.id, { firstName: 'A' });
    const code = h.sim.createAuthCode({ userType: 'Company', companyId: location.companyId });
    const token = (await (await exchangeCode(h, code)).json()) as TokenBody;

    const response = await apiCall(h, token.access_token, 'GET', `/contacts/${contact.id}`);

    expect(response.status).toBe(401);
  });

  it('directory › users and location › GHL shapes', async () => {
    const h = await start();
    const session = await locationSession(h, { name: 'קליניקה', timezone: 'Asia/Jerusalem' });

    const users = (await (await session.call('GET', `/users/?locationId=${session.location.id}`)).json()) as {
      users: unknown[];
    };
    const location = await (await session.call('GET', `/locations/${session.location.id}`)).json();

    expect(users.users).toEqual([
      expect.objectContaining({
        name: 'Dana Levi',
        firstName: 'Dana',
        lastName: 'Levi',
        email: 'dana@example.com',
        roles: expect.objectContaining({ role: 'admin' }),
      }),
    ]);
    expect(location).toEqual({
      location: expect.objectContaining({
        id: session.location.id,
        name: 'קליניקה',
        timezone: 'Asia/Jerusalem',
        companyId: session.location.companyId,
      }),
    });
  });

  it('unknown route › authenticated › 404 NestJS shape', async () => {
    const h = await start();
    const session = await locationSession(h);

    const response = await session.call('GET', '/opportunities/search');

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ statusCode: 404 });
  });

  it('mounting › under a parent app › same routes below the prefix, paths recorded relative', async () => {
    const sim = createGhlSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    const parent = express();
    parent.use('/sandbox-ghl', sim.app);
    const server = parent.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    try {
      const location = sim.addLocation();
      const code = sim.createAuthCode({ userType: 'Location', companyId: location.companyId, locationId: location.id });
      const response = await fetch(`http://127.0.0.1:${port}/sandbox-ghl/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'authorization_code', code }),
      });

      expect(response.status).toBe(200);
      expect(sim.requests.at(-1)?.path).toBe('/oauth/token');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('GHL simulator rate limits', () => {
  it('headers › every API answer, success or error › carries the five X-RateLimit-* headers', async () => {
    const h = await start();
    const session = await locationSession(h);

    const ok = await session.call('GET', `/locations/${session.location.id}`);
    const missing = await session.call('GET', '/contacts/doesNotExist');

    for (const response of [ok, missing]) for (const name of RATE_HEADERS) expect(response.headers.get(name)).not.toBeNull();
    expect(missing.status).toBe(400);
    expect(ok.headers.get('x-ratelimit-max')).toBe('100');
    expect(ok.headers.get('x-ratelimit-interval-milliseconds')).toBe('10000');
    expect(ok.headers.get('x-ratelimit-limit-daily')).toBe('200000');
    expect(ok.headers.get('x-ratelimit-remaining')).toBe('99');
    expect(missing.headers.get('x-ratelimit-remaining')).toBe('98');
  });

  it('window › 6 calls against max 5 › sixth is 429, budget back after the window', async () => {
    const clock = fakeClock();
    const h = await start({ now: clock.now, rateLimit: { max: 5, windowMs: 200 } });
    const session = await locationSession(h);
    const path = `/locations/${session.location.id}`;

    const statuses: number[] = [];
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await session.call('GET', path);
      statuses.push(response.status);
      remaining.push(response.headers.get('x-ratelimit-remaining'));
    }
    clock.advance(200);
    const after = await session.call('GET', path);

    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(remaining).toEqual(['4', '3', '2', '1', '0', '0']);
    expect(after.status).toBe(200);
    expect(h.sim.stats.rateLimited).toBe(1);
    expect(h.sim.peakWindowCount(session.location.id)).toBe(6);
    expect(h.sim.requests.filter((r) => r.status === 429)).toHaveLength(1);
  });

  it('window › two locations › budgets are separate', async () => {
    const clock = fakeClock();
    const h = await start({ now: clock.now, rateLimit: { max: 2, windowMs: 1000 } });
    const a = await locationSession(h);
    const b = await locationSession(h);

    await a.call('GET', `/locations/${a.location.id}`);
    await a.call('GET', `/locations/${a.location.id}`);
    const aThird = await a.call('GET', `/locations/${a.location.id}`);
    const bFirst = await b.call('GET', `/locations/${b.location.id}`);

    expect(aThird.status).toBe(429);
    expect(bFirst.status).toBe(200);
    expect(h.sim.peakWindowCount(b.location.id)).toBe(1);
  });

  it('daily › limit of 2 › third call 429 with Daily-Remaining 0', async () => {
    const h = await start({ dailyLimit: 2 });
    const session = await locationSession(h);

    await session.call('GET', `/locations/${session.location.id}`);
    await session.call('GET', `/locations/${session.location.id}`);
    const third = await session.call('GET', `/locations/${session.location.id}`);

    expect(third.status).toBe(429);
    expect(third.headers.get('x-ratelimit-daily-remaining')).toBe('0');
  });
});

describe('GHL simulator faults', () => {
  it('errorRate › 1 › API calls 500, token endpoint spared, resetFaults restores', async () => {
    const h = await start();
    const session = await locationSession(h);
    h.sim.setFaults({ errorRate: 1 });

    const failed = await session.call('GET', `/locations/${session.location.id}`);
    const code = h.sim.createAuthCode({
      userType: 'Location',
      companyId: session.location.companyId,
      locationId: session.location.id,
    });
    const token = await exchangeCode(h, code);
    h.sim.resetFaults();
    const healed = await session.call('GET', `/locations/${session.location.id}`);

    expect(failed.status).toBe(500);
    expect(token.status).toBe(200);
    expect(healed.status).toBe(200);
  });

  it('errorRate › tokenEndpoint true › token endpoint 500 too', async () => {
    const h = await start();
    const location = h.sim.addLocation();
    const code = h.sim.createAuthCode({ userType: 'Location', companyId: location.companyId, locationId: location.id });
    h.sim.setFaults({ errorRate: 0.5, tokenEndpoint: true, random: () => 0.2 });

    const response = await exchangeCode(h, code);

    expect(response.status).toBe(500);
  });

  it('errorRate › injected random above the rate › call succeeds', async () => {
    const h = await start();
    const session = await locationSession(h);
    h.sim.setFaults({ errorRate: 0.5, random: () => 0.7 });

    const response = await session.call('GET', `/locations/${session.location.id}`);

    expect(response.status).toBe(200);
  });

  it('rateLimitBurst › 2 › next two calls 429 regardless of budget, then 200', async () => {
    const h = await start();
    const session = await locationSession(h);
    h.sim.setFaults({ rateLimitBurst: 2 });

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await session.call('GET', `/locations/${session.location.id}`)).status);

    expect(statuses).toEqual([429, 429, 200]);
    expect(h.sim.stats.rateLimited).toBe(2);
  });

  it('latencyMs › small delay › answer unchanged', async () => {
    const h = await start();
    const session = await locationSession(h);
    h.sim.setFaults({ latencyMs: 20 });

    const response = await session.call('GET', `/locations/${session.location.id}`);

    expect(response.status).toBe(200);
  });

  it('latencyMs › far beyond the client timeout › client gives up first', async () => {
    const h = await start();
    const session = await locationSession(h);
    h.sim.setFaults({ latencyMs: 3_000 });

    const call = fetch(`${h.url}/locations/${session.location.id}`, {
      headers: { authorization: `Bearer ${session.token.access_token}`, version: '2021-07-28' },
      signal: AbortSignal.timeout(100),
    });

    await expect(call).rejects.toThrow();
  });

  it('timeoutRate › 1 › call never answers, recorded with status 0 once the client gives up', async () => {
    const h = await start();
    const session = await locationSession(h);
    h.sim.setFaults({ timeoutRate: 1 });

    const call = fetch(`${h.url}/locations/${session.location.id}`, {
      headers: { authorization: `Bearer ${session.token.access_token}`, version: '2021-07-28' },
      signal: AbortSignal.timeout(150),
    });

    await expect(call).rejects.toThrow();
    await vi.waitFor(() => expect(h.sim.requests.at(-1)).toMatchObject({ status: 0 }));
  });
});
