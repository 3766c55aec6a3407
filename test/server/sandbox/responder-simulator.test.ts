import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createResponderSimulator } from '../../../server/sandbox/responder-simulator/responder-simulator';

const credentials = { clientId: '238', clientSecret: 'sim-secret', userToken: 'sim-user-token' };
const UA = 'test-agent/1.0';
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function token(agent: supertest.Agent | ReturnType<typeof supertest>, prefix = ''): Promise<string> {
  const res = await agent
    .post(`${prefix}/v2/oauth/token`)
    .set('User-Agent', UA)
    .send({ grant_type: 'client_credentials', scope: '*', client_id: 238, client_secret: 'sim-secret', user_token: 'sim-user-token' });
  expect(res.status).toBe(200);
  return (res.body as { token: string }).token;
}

/** A loopback receiver that records what the simulator posts. */
async function receiver() {
  const received: { contentType: string | undefined; body: string }[] = [];
  const app = express();
  app.use(express.text({ type: () => true }));
  app.post('/hook', (req, res) => {
    received.push({ contentType: req.get('content-type'), body: req.body as string });
    res.json({ ok: true });
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

describe('Responder Live simulator', () => {
  it('firewall › request without User-Agent › 401 before anything else', async () => {
    const sim = createResponderSimulator(credentials);
    const server = await sim.listen();
    closers.push(server.close);
    const status = await new Promise<number>((resolve, reject) => {
      // node:http sends no User-Agent unless told to.
      const req = request(`${server.url}/v2/lists`, { method: 'GET' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(401);
    expect(sim.requests[0]).toMatchObject({ path: '/v2/lists', status: 401, userAgent: undefined });
  });

  it('token › client_id sent as a string › refused; as a number › token and expire (epoch seconds)', async () => {
    let now = Date.UTC(2026, 10, 28, 12);
    const sim = createResponderSimulator({ ...credentials, tokenTtlSeconds: 600, now: () => now });
    const agent = supertest(sim.app);
    const refused = await agent
      .post('/v2/oauth/token')
      .set('User-Agent', UA)
      .send({ grant_type: 'client_credentials', client_id: '238', client_secret: 'sim-secret', user_token: 'sim-user-token' });
    expect(refused.status).toBe(401);
    const t = await token(agent);
    const lists = await agent.get('/v2/lists').set('User-Agent', UA).set('Authorization', `Bearer ${t}`);
    expect(lists.status).toBe(200);
    now += 601_000;
    const expired = await agent.get('/v2/lists').set('User-Agent', UA).set('Authorization', `Bearer ${t}`);
    expect(expired.status).toBe(401);
  });

  it('mounted at /sandbox-responder › serves /sandbox-responder/v2 and records paths relative to the mount', async () => {
    const sim = createResponderSimulator(credentials);
    sim.addList({ id: 9, name: 'רשימה ראשית' });
    const host = express();
    host.use('/sandbox-responder', sim.app);
    const agent = supertest(host);
    const t = await token(agent, '/sandbox-responder');
    const res = await agent.get('/sandbox-responder/v2/lists').set('User-Agent', UA).set('Authorization', `Bearer ${t}`);
    expect(res.body).toEqual({ data: [expect.objectContaining({ id: 9, name: 'רשימה ראשית', is_dynamic: 0 })] });
    expect(sim.requests.map((r) => r.path)).toEqual(['/v2/oauth/token', '/v2/lists']);
  });

  it('subscribers › phone-only subscriber, then same phone with an email › linked to the same record', async () => {
    const sim = createResponderSimulator(credentials);
    sim.addList({ id: 1, name: 'L' });
    const agent = supertest(sim.app);
    const t = await token(agent);
    const post = (body: object) => agent.post('/v2/subscribers').set('User-Agent', UA).set('Authorization', `Bearer ${t}`).send(body);
    const first = await post({ list_ids: [1], phone: '054-1234567' });
    const second = await post({ list_ids: [1], phone: '0541234567', email: 'new@example.com' });
    expect(first.body).toEqual({ status: true, createdId: expect.any(Number) });
    expect(second.body).toEqual({ duplicate: true, createdId: (first.body as { createdId: number }).createdId });
    expect(sim.subscribers()).toEqual([expect.objectContaining({ phone: '0541234567', email: 'new@example.com' })]);
    const bad = await post({ list_ids: [1], phone: '0561234567' });
    expect(bad.body).toEqual({ status: false, error: 'invalid phone' });
  });

  it('setFaults › error rate 1 › every call answers the fault status', async () => {
    const sim = createResponderSimulator(credentials);
    sim.setFaults({ errorRate: 1, status: 503 });
    const res = await supertest(sim.app).get('/v2/lists').set('User-Agent', UA);
    expect(res.status).toBe(503);
  });

  it('sendWebhook › form with Hebrew renamed keys, fired twice › two identical form posts', async () => {
    const sim = createResponderSimulator(credentials);
    const target = await receiver();
    const out = await sim.sendWebhook(
      target.url,
      { email: 'a@b.co', phone: '054-1234567', name: 'דוד בן-גוריון' },
      { format: 'form', keyMap: { email: 'אימייל', phone: 'טלפון' }, event: 1, duplicate: true },
    );
    expect(out).toEqual([
      { status: 200, body: { ok: true } },
      { status: 200, body: { ok: true } },
    ]);
    expect(target.received).toHaveLength(2);
    expect(target.received[0]!.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(target.received[0]!.body))).toEqual({
      אימייל: 'a@b.co',
      טלפון: '054-1234567',
      name: 'דוד בן-גוריון',
      event: '1',
    });
  });

  it('fireListEvent › registered webhook for event 1 › subscriber posted as JSON with the mapped keys', async () => {
    const sim = createResponderSimulator(credentials);
    sim.addList({ id: 3, name: 'מתעניינים' });
    const target = await receiver();
    const agent = supertest(sim.app);
    const t = await token(agent);
    const auth = { 'User-Agent': UA, Authorization: `Bearer ${t}` };
    await agent.post('/v2/webhooks').set(auth).send({ list_id: 3, url: target.url, name: 'x', events: [1], merges: { email: 'EMAIL', name: 'NAME' } });
    const created = await agent.post('/v2/subscribers').set(auth).send({ list_ids: [3], email: 'a@b.co', name: 'ישראל' });
    const out = await sim.fireListEvent((created.body as { createdId: number }).createdId, 1);
    expect(out).toHaveLength(1);
    expect(JSON.parse(target.received[0]!.body)).toEqual({ EMAIL: 'a@b.co', NAME: 'ישראל', list_id: 3, list_name: 'מתעניינים', event: 1 });
    expect(await sim.fireListEvent((created.body as { createdId: number }).createdId, 2)).toEqual([]);
  });
});
