import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRules } from '../../../server/automations/default-rules';
import { ResponderConnectionRepository } from '../../../server/db/repositories/responder-connection-repository';
import { testDialects } from '../../support/test-db';
import { bearer, PUBLIC_URL, RESPONDER_CREDENTIALS, startPanelWorld, type InstalledLocation, type PanelWorld } from './panel-api-test-kit';

describe.each(testDialects())('panel API settings (%s)', (dialect) => {
  let world: PanelWorld;
  afterEach(async () => world?.close());

  async function arrange(): Promise<{ loc: InstalledLocation; admin: string; user: string }> {
    world = await startPanelWorld(dialect);
    const loc = await world.installLocation();
    return { loc, admin: await world.sessionToken(loc, 'admin'), user: await world.sessionToken(loc, 'user') };
  }

  it('GET /api/settings › first read › defaults, not connected, webhook URL with a key that stays the same', async () => {
    const { loc, user } = await arrange();
    const first = await request(world.app).get('/api/settings').set('Authorization', bearer(user));
    const second = await request(world.app).get('/api/settings').set('Authorization', bearer(user));

    expect(first.status).toBe(200);
    const key = (await new ResponderConnectionRepository(world.db, world.box).get(loc.id))!.webhookKey;
    expect(first.body.data).toEqual({
      responder: { connected: false, hasSecret: false, webhookUrl: `${PUBLIC_URL}/webhooks/responder/${key}`, lists: [], defaultListIds: [] },
      defaults: { country: 'IL', followUpKeywords: [], taskDueHour: 10 },
      dryRun: false,
      // A new location runs the seed flows (automations/default-rules.ts).
      rules: defaultRules(),
    });
    expect(second.body.data.responder.webhookUrl).toBe(first.body.data.responder.webhookUrl);
  });

  it('PUT /api/settings › user role › 403 forbidden, nothing saved', async () => {
    const { user } = await arrange();
    const res = await request(world.app).put('/api/settings').set('Authorization', bearer(user)).send({ dryRun: true });
    const after = await request(world.app).get('/api/settings').set('Authorization', bearer(user));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(after.body.data.dryRun).toBe(false);
    for (const path of ['/api/settings/responder/test', '/api/settings/responder/register-webhooks', '/api/settings/responder/rotate-key']) {
      const denied = await request(world.app).post(path).set('Authorization', bearer(user)).send({});
      expect(denied.status, path).toBe(403);
    }
  });

  it('PUT /api/settings › invalid fields › 422 naming each field, nothing saved', async () => {
    const { admin } = await arrange();
    const bad = await request(world.app)
      .put('/api/settings')
      .set('Authorization', bearer(admin))
      .send({ defaults: { country: 'israel', taskDueHour: 25 }, dryRun: 'yes' });
    const badZone = await request(world.app).put('/api/settings').set('Authorization', bearer(admin)).send({ defaults: { timezone: 'Mars/Olympus' } });
    const after = await request(world.app).get('/api/settings').set('Authorization', bearer(admin));

    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['defaults.country', 'defaults.taskDueHour', 'dryRun']);
    expect(bad.body.error.message).toContain('defaults.country');
    expect(badZone.status).toBe(422);
    expect(badZone.body.error.details).toEqual([{ path: 'defaults.timezone', message: expect.any(String) }]);
    expect(after.body.data.defaults).toEqual({ country: 'IL', followUpKeywords: [], taskDueHour: 10 });
  });

  it('PUT /api/settings › admin changes defaults, dry run and rules › saved and answered; null clears a field', async () => {
    const { admin } = await arrange();
    const rule = {
      version: 1,
      id: 'r1',
      name: 'כלל ראשון',
      enabled: true,
      trigger: { source: 'responder', event: 'message.received' },
      conditions: { mode: 'all', items: [] },
      actions: [{ type: 'add_note', body: 'הודעה: {{message.text}}' }],
    };
    const put = await request(world.app)
      .put('/api/settings')
      .set('Authorization', bearer(admin))
      .send({ defaults: { country: 'US', followUpKeywords: ['דחוף'], timezone: 'America/New_York', noteTemplate: 'x' }, dryRun: true, rules: [rule] });
    const cleared = await request(world.app).put('/api/settings').set('Authorization', bearer(admin)).send({ defaults: { timezone: null } });

    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({
      defaults: { country: 'US', followUpKeywords: ['דחוף'], taskDueHour: 10, timezone: 'America/New_York', noteTemplate: 'x' },
      dryRun: true,
      rules: [rule],
    });
    expect(cleared.body.data.defaults).toEqual({ country: 'US', followUpKeywords: ['דחוף'], taskDueHour: 10, noteTemplate: 'x' });
  });

  it('PUT /api/settings › valid Responder credentials › tested, stored sealed, never returned; lists fetched', async () => {
    const { loc, admin } = await arrange();
    world.responder.addList({ id: 11, name: 'לקוחות' });
    world.responder.addList({ id: 12, name: 'Dynamic', dynamic: true });

    const res = await request(world.app)
      .put('/api/settings')
      .set('Authorization', bearer(admin))
      .send({ responder: { credentials: RESPONDER_CREDENTIALS, defaultListIds: [11] } });

    expect(res.status).toBe(200);
    expect(res.body.data.responder).toMatchObject({
      connected: true,
      clientId: RESPONDER_CREDENTIALS.clientId,
      hasSecret: true,
      lists: [{ id: 11, name: 'לקוחות' }],
      defaultListIds: [11],
    });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(RESPONDER_CREDENTIALS.clientSecret);
    expect(text).not.toContain(RESPONDER_CREDENTIALS.userToken);
    const row = await world.db.kysely.selectFrom('responder_connections').selectAll().where('location_id', '=', loc.id).executeTakeFirstOrThrow();
    expect(row.client_secret).not.toContain(RESPONDER_CREDENTIALS.clientSecret);
    expect(row.user_token).not.toContain(RESPONDER_CREDENTIALS.userToken);
    expect((await new ResponderConnectionRepository(world.db, world.box).get(loc.id))?.credentials).toEqual(RESPONDER_CREDENTIALS);
  });

  it('PUT /api/settings › credentials Responder refuses › 422 on responder.credentials, nothing stored', async () => {
    const { loc, admin } = await arrange();
    const res = await request(world.app)
      .put('/api/settings')
      .set('Authorization', bearer(admin))
      .send({ responder: { credentials: { ...RESPONDER_CREDENTIALS, clientSecret: 'wrong' } }, dryRun: true });

    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('responder.credentials');
    expect((await new ResponderConnectionRepository(world.db, world.box).get(loc.id))?.credentials ?? null).toBeNull();
    const after = await request(world.app).get('/api/settings').set('Authorization', bearer(admin));
    expect(after.body.data.dryRun).toBe(false);
  });

  it('PUT /api/settings › default list not in the account › 422 naming the index', async () => {
    const { admin } = await arrange();
    world.responder.addList({ id: 11, name: 'A' });
    const res = await request(world.app)
      .put('/api/settings')
      .set('Authorization', bearer(admin))
      .send({ responder: { credentials: RESPONDER_CREDENTIALS, defaultListIds: [11, 99] } });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ path: 'responder.defaultListIds.1', message: expect.stringContaining('99') }]);
  });

  it('POST …/responder/test › stored or given credentials › ok with lists; wrong ones › ok:false', async () => {
    const { admin } = await arrange();
    world.responder.addList({ id: 21, name: 'Newsletter' });
    const none = await request(world.app).post('/api/settings/responder/test').set('Authorization', bearer(admin)).send({});
    const given = await request(world.app)
      .post('/api/settings/responder/test')
      .set('Authorization', bearer(admin))
      .send({ credentials: RESPONDER_CREDENTIALS });
    const wrong = await request(world.app)
      .post('/api/settings/responder/test')
      .set('Authorization', bearer(admin))
      .send({ credentials: { ...RESPONDER_CREDENTIALS, userToken: 'nope' } });

    expect(none.status).toBe(422);
    expect(given.status).toBe(200);
    expect(given.body.data).toEqual({ ok: true, lists: [{ id: 21, name: 'Newsletter' }] });
    expect(wrong.status).toBe(200);
    expect(wrong.body.data).toMatchObject({ ok: false, lists: [] });
    expect(wrong.body.data.message).toEqual(expect.any(String));
  });

  it('POST …/register-webhooks › default lists › our URL registered once per list, repeat says already_registered', async () => {
    const { admin } = await arrange();
    world.responder.addList({ id: 31, name: 'רשימה א' });
    world.responder.addList({ id: 32, name: 'List B' });
    const saved = await request(world.app)
      .put('/api/settings')
      .set('Authorization', bearer(admin))
      .send({ responder: { credentials: RESPONDER_CREDENTIALS, defaultListIds: [31, 32] } });
    const url = saved.body.data.responder.webhookUrl;

    const first = await request(world.app).post('/api/settings/responder/register-webhooks').set('Authorization', bearer(admin)).send({});
    const again = await request(world.app).post('/api/settings/responder/register-webhooks').set('Authorization', bearer(admin)).send({ listIds: [31] });

    expect(first.status).toBe(200);
    expect(first.body.data.results).toEqual([
      { listId: 31, listName: 'רשימה א', outcome: 'registered' },
      { listId: 32, listName: 'List B', outcome: 'registered' },
    ]);
    expect(again.body.data.results).toEqual([{ listId: 31, listName: 'רשימה א', outcome: 'already_registered' }]);
    const hooks = world.responder.webhooks();
    expect(hooks).toHaveLength(2);
    expect(hooks.every((h) => h.url === url)).toBe(true);
  });

  it('POST …/rotate-key › new webhook URL, old key no longer belongs to the location', async () => {
    const { loc, admin } = await arrange();
    const before = await request(world.app).get('/api/settings').set('Authorization', bearer(admin));
    const rotated = await request(world.app).post('/api/settings/responder/rotate-key').set('Authorization', bearer(admin)).send({});

    expect(rotated.status).toBe(200);
    expect(rotated.body.data.responder.webhookUrl).not.toBe(before.body.data.responder.webhookUrl);
    const oldKey = before.body.data.responder.webhookUrl.split('/').pop();
    const repo = new ResponderConnectionRepository(world.db, world.box);
    expect(await repo.locationIdForWebhookKey(oldKey)).toBeNull();
    expect(rotated.body.data.responder.webhookUrl).toBe(`${PUBLIC_URL}/webhooks/responder/${(await repo.get(loc.id))!.webhookKey}`);
  });
});
