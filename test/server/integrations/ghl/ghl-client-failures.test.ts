import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../../server/errors';
import { GhlClient } from '../../../../server/integrations/ghl/ghl-client';
import { LocalRateLimiter } from '../../../../server/integrations/ghl/ghl-rate-limiter';
import { apiRequests, silentLogger, startGhlWorld, type GhlWorld } from './ghl-test-kit';

/** Runs `fn` and returns what it threw, as an UpstreamError. */
async function failure(fn: () => Promise<unknown>): Promise<UpstreamError> {
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
}

describe('GhlClient › failures against the GHL simulator', () => {
  let world: GhlWorld;

  afterEach(async () => {
    await world.close();
  });

  it('401 › expired token › refreshes once through the provider and retries with the new token', async () => {
    world = await startGhlWorld();
    const loc = await world.addInstalledLocation();
    const contact = world.sim.addContact(loc, { firstName: 'Retry' });
    const expiredToken = world.tokens.tokens.get(loc)!.access;
    world.sim.expireAccessTokens();

    const fetched = await world.client.getContact(loc, contact.id);

    expect(fetched.id).toBe(contact.id);
    expect(world.tokens.refreshCalls).toEqual([{ locationId: loc, failedToken: expiredToken }]);
    expect(world.sim.stats.refreshes).toBe(1);
    expect(apiRequests(world.sim).map((r) => r.status)).toEqual([401, 200]);
    expect(world.calls.map((c) => c.status)).toEqual([401, 200]);
  });

  it('401 › still 401 after the refresh › UpstreamError auth, refreshed only once', async () => {
    world = await startGhlWorld();
    const loc = await world.addInstalledLocation();
    world.sim.expireAccessTokens();
    world.tokens.refreshOverride = 'still-not-a-valid-token';

    const err = await failure(() => world.client.listTasks(loc, 'c1'));

    expect(err.kind).toBe('auth');
    expect(err.status).toBe(401);
    expect(err.message).not.toContain('still-not-a-valid-token');
    expect(world.tokens.refreshCalls).toHaveLength(1);
    expect(apiRequests(world.sim).map((r) => r.status)).toEqual([401, 401]);
  });

  it('401 › contact of another location › permanent 403, no token refresh', async () => {
    world = await startGhlWorld();
    const mine = await world.addInstalledLocation();
    const theirs = await world.addInstalledLocation();
    const foreign = world.sim.addContact(theirs, { firstName: 'Other' });

    const err = await failure(() => world.client.getContact(mine, foreign.id));

    expect(err.kind).toBe('permanent');
    expect(err.status).toBe(403);
    expect(world.tokens.refreshCalls).toHaveLength(0);
    expect(world.sim.stats.refreshes).toBe(0);
  });

  it('429 › GHL answers Too Many Requests › rate_limited with the interval, no retry, limiter blocks the key', async () => {
    const limiter = new LocalRateLimiter({ max: 100, windowMs: 10_000 });
    world = await startGhlWorld({ limiter });
    const loc = await world.addInstalledLocation();
    world.sim.setFaults({ rateLimitBurst: 1 });

    const err = await failure(() => world.client.getLocation(loc));

    expect(err.kind).toBe('rate_limited');
    expect(err.status).toBe(429);
    expect(err.retryAfterMs).toBe(10_000);
    expect(apiRequests(world.sim)).toHaveLength(1);
    expect(world.calls.map((c) => c.status)).toEqual([429]);
    expect(limiter.inspect(loc).blockedUntil).toBeGreaterThan(Date.now());
  });

  it('422 › a property GHL does not accept › permanent with GHL messages and body', async () => {
    world = await startGhlWorld();
    const loc = await world.addInstalledLocation();
    const contact = world.sim.addContact(loc, { firstName: 'X' });

    const err = await failure(() => world.client.updateContact(loc, contact.id, { nickname: 'x' } as never));

    expect(err.kind).toBe('permanent');
    expect(err.status).toBe(422);
    expect(err.message).toContain('property nickname should not exist');
    expect(err.body).toMatchObject({ statusCode: 422, message: ['property nickname should not exist'] });
  });

  it('400 › duplicate contact refused › permanent with the message and the matching contact in meta', async () => {
    world = await startGhlWorld();
    const loc = await world.addInstalledLocation();
    const existing = world.sim.addContact(loc, { email: 'dup@example.com' });

    const err = await failure(() => world.client.createContact(loc, { email: 'dup@example.com' }));

    expect(err.kind).toBe('permanent');
    expect(err.status).toBe(400);
    expect(err.message).toContain('does not allow duplicated contacts');
    expect(err.body).toMatchObject({ meta: { contactId: existing.id } });
  });

  it('500 › GHL fails › transient, not retried', async () => {
    world = await startGhlWorld();
    const loc = await world.addInstalledLocation();
    world.sim.setFaults({ errorRate: 1 });

    const err = await failure(() => world.client.listUsers(loc));

    expect(err.kind).toBe('transient');
    expect(err.status).toBe(500);
    expect(apiRequests(world.sim)).toHaveLength(1);
  });

  it('timeout › GHL never answers › transient after timeoutMs, reported with status 0', async () => {
    world = await startGhlWorld({ timeoutMs: 150 });
    const loc = await world.addInstalledLocation();
    world.sim.setFaults({ timeoutRate: 1 });

    const err = await failure(() => world.client.getLocation(loc));

    expect(err.kind).toBe('transient');
    expect(err.status).toBeUndefined();
    expect(err.message).toMatch(/timed out/);
    expect(world.calls.map((c) => c.status)).toEqual([0]);
  });

  it('2xx with an unexpected body › permanent naming the field, since a retry gets the same answer', async () => {
    world = await startGhlWorld();
    const loc = await world.addInstalledLocation();
    // The simulator with one route answering a shape GHL's spec does not allow (a location without id).
    const parent = express();
    parent.get('/locations/:locationId', (_req, res) => {
      res.json({ location: { name: 'no id here' } });
    });
    parent.use(world.sim.app);
    const server = http.createServer(parent);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new GhlClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      timeoutMs: 5000,
      tokens: world.tokens,
      limiter: world.limiter,
      logger: silentLogger,
    });

    const err = await failure(() => client.getLocation(loc)).finally(
      () => new Promise((resolve) => server.close(resolve)),
    );

    expect(err.kind).toBe('permanent');
    expect(err.status).toBe(200);
    expect(err.message).toMatch(/unexpected body.*location\.id/);
  });

  it('network › nothing listening › transient with status 0', async () => {
    world = await startGhlWorld();
    const loc = await world.addInstalledLocation();
    await world.close();

    const err = await failure(() => world.client.getLocation(loc));

    expect(err.kind).toBe('transient');
    expect(world.calls.map((c) => c.status)).toEqual([0]);
  });
});

describe('GhlClient › rate limiter acceptance', () => {
  let world: GhlWorld;

  afterEach(async () => {
    await world.close();
  });

  it('burst › 2.5× the limit for one location › no 429, window held, other location not held up', async () => {
    const max = 20;
    world = await startGhlWorld({ rateLimit: { max, windowMs: 1000 } });
    const a = await world.addInstalledLocation();
    const b = await world.addInstalledLocation();
    const done: string[] = [];

    const burst = Array.from({ length: 50 }, () => world.client.getLocation(a).then(() => done.push('a')));
    const others = Array.from({ length: 5 }, () => world.client.getLocation(b).then(() => done.push('b')));
    await Promise.all(others);
    const aDoneWhenBFinished = done.filter((d) => d === 'a').length;
    await Promise.all(burst);

    const answered = apiRequests(world.sim);
    expect(answered.filter((r) => r.status === 429)).toHaveLength(0);
    expect(world.sim.stats.rateLimited).toBe(0);
    expect(answered.filter((r) => r.resourceId === a && r.status === 200)).toHaveLength(50);
    expect(world.sim.peakWindowCount(a)).toBeLessThanOrEqual(max);
    expect(world.sim.peakWindowCount(b)).toBeLessThanOrEqual(max);
    // A's burst needs at least two more windows after its first answers; B, never queued behind it, is long done.
    expect(aDoneWhenBFinished).toBeLessThan(50);
    expect(done.filter((d) => d === 'b')).toHaveLength(5);
  });
});
