import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRules } from '../../../server/automations/default-rules';
import { SAMPLE_HEBREW_REPLY } from '../../../server/automations/sample-events';
import { testDialects } from '../../support/test-db';
import { bearer, startPanelWorld, type PanelWorld } from './panel-api-test-kit';

describe.each(testDialects())('panel API automation rules (%s)', (dialect) => {
  let world: PanelWorld;
  afterEach(async () => world?.close());

  async function arrange() {
    world = await startPanelWorld(dialect);
    const loc = await world.installLocation();
    return { admin: await world.sessionToken(loc, 'admin'), user: await world.sessionToken(loc, 'user') };
  }

  it('PUT /api/settings › a rule with a bad template and one with an unknown field › 422 naming both, nothing saved', async () => {
    const { admin } = await arrange();
    const rules = [
      ...defaultRules(),
      { id: 'bad-1', name: 'x', enabled: true, trigger: { source: 'ghl', event: 'ContactUpdate' }, actions: [{ type: 'add_note', body: 'היי {{contact.nmae}}' }] },
      {
        id: 'bad-2',
        name: 'y',
        enabled: true,
        trigger: { source: 'responder', event: 'message.replied' },
        conditions: { mode: 'all', items: [{ type: 'field_contains', field: 'message.txt', value: 'מחיר' }] },
        actions: [{ type: 'add_tags', tags: ['a'] }],
      },
    ];
    const res = await request(world.app).put('/api/settings').set('Authorization', bearer(admin)).send({ dryRun: true, rules });
    const after = await request(world.app).get('/api/settings').set('Authorization', bearer(admin));

    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual([
      { path: 'rules[6].actions[0].body', message: 'unknown placeholder {{contact.nmae}}' },
      { path: 'rules[7].conditions.items[0].field', message: 'unknown field "message.txt" for trigger message.replied' },
    ]);
    expect(res.body.error.message).toContain('rules[6].actions[0].body: unknown placeholder {{contact.nmae}}');
    expect(after.body.data.dryRun).toBe(false);
    expect(after.body.data.rules).toEqual(defaultRules());
  });

  it('POST /api/settings/rules/test › the follow-up rule, Hebrew sample › the planned task; user role › 403', async () => {
    const { admin, user } = await arrange();
    const rule = defaultRules().find((r) => r.id === 'seed-follow-up-task');
    const res = await request(world.app).post('/api/settings/rules/test').set('Authorization', bearer(admin)).send({ rule });
    const denied = await request(world.app).post('/api/settings/rules/test').set('Authorization', bearer(user)).send({ rule });

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ ruleId: 'seed-follow-up-task', matched: true });
    expect(res.body.data.requests).toHaveLength(1);
    expect(res.body.data.requests[0]).toMatchObject({ service: 'ghl', method: 'POST', path: '/contacts/sample-contact/tasks' });
    expect(res.body.data.requests[0].body.body).toContain(SAMPLE_HEBREW_REPLY);
    expect(denied.status).toBe(403);
  });

  it('POST /api/settings/rules/test › unknown placeholder › 422 naming it', async () => {
    const { admin } = await arrange();
    const rule = { id: 'r', name: 'r', enabled: true, trigger: { source: 'ghl', event: 'TaskCreate' }, actions: [{ type: 'add_note', body: '{{task.titel}}' }] };
    const res = await request(world.app).post('/api/settings/rules/test').set('Authorization', bearer(admin)).send({ rule });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ path: 'rule.actions[0].body', message: 'unknown placeholder {{task.titel}}' }]);
  });
});
