import express from 'express';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '../../../server/errors';
import { createLogger } from '../../../server/logger';
import {
  issuePanelToken,
  requireAdmin,
  requirePanelSession,
  verifyPanelToken,
  type PanelSession,
} from '../../../server/http/panel-auth';

const SECRET = 'panel-test-secret-0123456789abcdef';
const session: PanelSession = { userId: 'u_1', locationId: 'loc_A', role: 'user', name: 'דנה', email: 'd@example.com' };

function app() {
  const a = express();
  a.get('/who', requirePanelSession(SECRET), (req, res) => {
    res.json({ data: req.panel });
  });
  a.put('/admin', requirePanelSession(SECRET), requireAdmin, (_req, res) => {
    res.json({ data: 'ok' });
  });
  a.use(errorHandler(createLogger('silent')));
  return a;
}

const signRaw = (claims: object, options: jwt.SignOptions, secret: string = SECRET) =>
  jwt.sign({ sub: 'u_1', loc: 'loc_A', role: 'user', name: 'n', email: 'e', ...claims }, secret, options);

describe('panel-auth', () => {
  it('issuePanelToken › verified › same session, 15 minutes, issuer and audience set', () => {
    const now = Date.UTC(2025, 0, 1);
    const { token, expiresAt } = issuePanelToken(session, SECRET, now);
    expect(expiresAt).toBe(now + 15 * 60 * 1000);
    expect(verifyPanelToken(token, SECRET, now + 60_000)).toEqual(session);
    const decoded = jwt.decode(token, { complete: true });
    expect(decoded?.header.alg).toBe('HS256');
    expect(decoded?.payload).toMatchObject({ iss: 'responder-live-ghl', aud: 'ghl-panel', sub: 'u_1', loc: 'loc_A' });
  });

  it('verifyPanelToken › after 15 minutes › rejected', () => {
    const now = Date.UTC(2025, 0, 1);
    const { token } = issuePanelToken(session, SECRET, now);
    expect(verifyPanelToken(token, SECRET, now + 15 * 60 * 1000 + 1000)).toBeUndefined();
  });

  it('requirePanelSession › valid bearer › req.panel is the session', async () => {
    const { token } = issuePanelToken(session, SECRET);
    const res = await request(app()).get('/who').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(session);
  });

  const bad: [string, () => string][] = [
    ['no header', () => ''],
    ['not bearer', () => `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['garbage', () => 'Bearer not.a.jwt'],
    ['expired', () => `Bearer ${issuePanelToken(session, SECRET, Date.now() - 16 * 60 * 1000).token}`],
    ['wrong audience', () => `Bearer ${signRaw({}, { issuer: 'responder-live-ghl', audience: 'other', expiresIn: 600 })}`],
    ['wrong issuer', () => `Bearer ${signRaw({}, { issuer: 'someone-else', audience: 'ghl-panel', expiresIn: 600 })}`],
    ['no audience or issuer', () => `Bearer ${signRaw({}, { expiresIn: 600 })}`],
    ['other secret', () => `Bearer ${signRaw({}, { issuer: 'responder-live-ghl', audience: 'ghl-panel', expiresIn: 600 }, 'x'.repeat(40))}`],
    ['HS512 with our secret', () => `Bearer ${signRaw({}, { algorithm: 'HS512', issuer: 'responder-live-ghl', audience: 'ghl-panel', expiresIn: 600 })}`],
    [
      'alg none',
      () => {
        const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const exp = Math.floor(Date.now() / 1000) + 600;
        const claims = { sub: 'u_1', loc: 'loc_A', role: 'admin', name: 'n', email: 'e', iss: 'responder-live-ghl', aud: 'ghl-panel', exp };
        return `Bearer ${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
      },
    ],
    ['missing loc claim', () => `Bearer ${jwt.sign({ sub: 'u', role: 'user', name: 'n', email: 'e' }, SECRET, { issuer: 'responder-live-ghl', audience: 'ghl-panel', expiresIn: 600 })}`],
  ];

  it.each(bad)('requirePanelSession › %s › 401 unauthorized', async (_name, header) => {
    const value = header();
    const req = request(app()).get('/who');
    const res = value ? await req.set('Authorization', value) : await req;
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('requireAdmin › user role › 403 forbidden; admin role › 200', async () => {
    const user = issuePanelToken(session, SECRET).token;
    const admin = issuePanelToken({ ...session, role: 'admin' }, SECRET).token;
    const denied = await request(app()).put('/admin').set('Authorization', `Bearer ${user}`);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    const allowed = await request(app()).put('/admin').set('Authorization', `Bearer ${admin}`);
    expect(allowed.status).toBe(200);
  });
});
