import jwt from 'jsonwebtoken';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { encryptSsoPayload } from '../../../server/security/sso-crypto';
import { testDialects } from '../../support/test-db';
import { bearer, SESSION_SECRET, SSO_KEY, startPanelWorld, type PanelWorld } from './panel-api-test-kit';

describe.each(testDialects())('POST /api/session (%s)', (dialect) => {
  let world: PanelWorld;
  afterEach(async () => world?.close());

  it('session › valid location context › 200 with a 15-minute JWT bound to the location, user and location described', async () => {
    world = await startPanelWorld(dialect);
    const loc = await world.installLocation({ name: 'סניף תל אביב', timezone: 'Asia/Jerusalem' });
    const before = Date.now();

    const res = await request(world.app)
      .post('/api/session')
      .send({ ssoPayload: world.ssoPayload(loc.admin, loc.id, loc.companyId) });

    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(data.user).toEqual({ id: loc.admin.id, name: 'דנה כהן', email: 'dana@example.com', role: 'admin' });
    expect(data.location).toEqual({ id: loc.id, name: 'סניף תל אביב', timezone: 'Asia/Jerusalem', status: 'active' });
    const expiresAt = Date.parse(data.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 15 * 60_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 15 * 60_000);
    const claims = jwt.verify(data.token, SESSION_SECRET, { audience: 'ghl-panel', issuer: 'responder-live-ghl' }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: loc.admin.id, loc: loc.id, role: 'admin' });
    expect(res.headers['cache-control']).toBe('no-store');

    const users = await request(world.app).get('/api/users').set('Authorization', bearer(data.token));
    expect(users.status).toBe(200);
  });

  it('session › role other than admin › user role', async () => {
    world = await startPanelWorld(dialect);
    const loc = await world.installLocation();
    const res = await request(world.app)
      .post('/api/session')
      .send({ ssoPayload: world.ssoPayload(loc.user, loc.id, loc.companyId, 'user') });
    expect(res.status).toBe(200);
    expect(res.body.data.user.role).toBe('user');
  });

  it('session › tampered payload › 401 unauthorized', async () => {
    world = await startPanelWorld(dialect);
    const loc = await world.installLocation();
    const raw = Buffer.from(world.ssoPayload(loc.admin, loc.id, loc.companyId), 'base64');
    raw[raw.length - 20] = raw[raw.length - 20]! ^ 0xff;
    const res = await request(world.app).post('/api/session').send({ ssoPayload: raw.toString('base64') });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.body.data).toBeUndefined();
  });

  it('session › payload encrypted with another app key › 401 unauthorized', async () => {
    world = await startPanelWorld(dialect);
    const loc = await world.installLocation();
    const foreign = encryptSsoPayload({ userId: loc.admin.id, role: 'admin', activeLocation: loc.id }, 'another-apps-secret');
    const res = await request(world.app).post('/api/session').send({ ssoPayload: foreign });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('session › decrypts but is not a user context (not JSON, array, no userId) › 401 unauthorized', async () => {
    world = await startPanelWorld(dialect);
    for (const value of [['a'], { role: 'admin', activeLocation: 'x' }, 'just a string']) {
      const res = await request(world.app).post('/api/session').send({ ssoPayload: encryptSsoPayload(value, SSO_KEY) });
      expect(res.status, JSON.stringify(value)).toBe(401);
    }
  });

  it('session › missing or empty ssoPayload › 401', async () => {
    world = await startPanelWorld(dialect);
    for (const body of [{}, { ssoPayload: '' }, { ssoPayload: 42 }]) {
      const res = await request(world.app).post('/api/session').send(body);
      expect(res.status, JSON.stringify(body)).toBe(401);
    }
  });

  it('session › agency-only context (no activeLocation) › 401 agency_context asking for a sub-account', async () => {
    world = await startPanelWorld(dialect);
    const loc = await world.installLocation();
    const res = await request(world.app)
      .post('/api/session')
      .send({ ssoPayload: world.ssoPayload(loc.admin, null, loc.companyId) });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('agency_context');
    expect(res.body.error.message).toMatch(/Open this inside a sub-account/);
  });

  it('session › location never installed › 401 not_installed', async () => {
    world = await startPanelWorld(dialect);
    const loc = await world.installLocation();
    const stranger = world.sim.addLocation({ companyId: loc.companyId });
    const res = await request(world.app)
      .post('/api/session')
      .send({ ssoPayload: world.ssoPayload(loc.admin, stranger.id, loc.companyId) });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('not_installed');
  });

  it('session › location uninstalled › 401 not_installed, and an earlier token stops working', async () => {
    world = await startPanelWorld(dialect);
    const loc = await world.installLocation();
    const token = await world.sessionToken(loc);
    await world.installations.uninstallLocation(loc.id, Date.now());

    const res = await request(world.app)
      .post('/api/session')
      .send({ ssoPayload: world.ssoPayload(loc.admin, loc.id, loc.companyId) });
    const later = await request(world.app).get('/api/users').set('Authorization', bearer(token));

    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('not_installed');
    expect(later.status).toBe(401);
    expect(later.body.error.code).toBe('not_installed');
  });

  it('session › company in the context differs from the installation › 401 not_installed', async () => {
    world = await startPanelWorld(dialect);
    const loc = await world.installLocation();
    const res = await request(world.app)
      .post('/api/session')
      .send({ ssoPayload: world.ssoPayload(loc.admin, loc.id, 'some-other-agency') });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('not_installed');
  });

  it('session › location needs reconnect › still a session, status and reason in location', async () => {
    world = await startPanelWorld(dialect);
    const loc = await world.installLocation();
    await world.installations.markStatus('location', loc.id, 'needs_reconnect', 'invalid_grant', Date.now());
    const res = await request(world.app)
      .post('/api/session')
      .send({ ssoPayload: world.ssoPayload(loc.admin, loc.id, loc.companyId) });
    expect(res.status).toBe(200);
    expect(res.body.data.location).toMatchObject({ id: loc.id, status: 'needs_reconnect', statusReason: 'invalid_grant' });
  });

  it('session › installed without name and time zone › fetched from GHL once and stored', async () => {
    world = await startPanelWorld(dialect);
    const loc = await world.installLocation({ name: 'Branch North', timezone: 'Europe/London' });
    await world.db.kysely.updateTable('locations').set({ name: null, timezone: null }).where('location_id', '=', loc.id).execute();

    const res = await request(world.app)
      .post('/api/session')
      .send({ ssoPayload: world.ssoPayload(loc.admin, loc.id, loc.companyId) });

    expect(res.status).toBe(200);
    expect(res.body.data.location).toMatchObject({ name: 'Branch North', timezone: 'Europe/London' });
    const stored = await world.installations.getLocation(loc.id);
    expect(stored).toMatchObject({ name: 'Branch North', timezone: 'Europe/London' });
  });
});
