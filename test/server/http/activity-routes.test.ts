import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { InboxStatus } from '../../../server/db/schema';
import { InboxRepository } from '../../../server/db/repositories/inbox-repository';
import { inboxEvent } from '../../support/inbox-factory';
import { testDialects } from '../../support/test-db';
import { bearer, startPanelWorld, type PanelWorld } from './panel-api-test-kit';

describe.each(testDialects())('panel API activity (%s)', (dialect) => {
  let world: PanelWorld;
  afterEach(async () => world?.close());

  async function arrange() {
    world = await startPanelWorld(dialect);
    const loc = await world.installLocation();
    const inbox = new InboxRepository(world.db);
    const add = async (status: InboxStatus, contactId: string | null, payload: unknown = { subscriber: { email: 'dana@example.com' }, message: { text: 'שלום' } }) => {
      const { id } = await inbox.insert(inboxEvent({ locationId: loc.id, payload }));
      await world.db.kysely
        .updateTable('inbox_events')
        .set({ status, contact_id: contactId, last_error: status === 'dead' ? 'GHL answered 422' : null, attempts: status === 'dead' ? 5 : 0 })
        .where('id', '=', id)
        .execute();
      return id;
    };
    return { loc, inbox, add, token: await world.sessionToken(loc) };
  }

  it('GET /api/activity › filters and paging › newest first, summaries in Hebrew, cancelled shown as ignored', async () => {
    const { add, token } = await arrange();
    const done = await add('done', 'c1');
    const dead = await add('dead', 'c1');
    const cancelled = await add('cancelled', 'c2');
    const get = (query: Record<string, string>) => request(world.app).get('/api/activity').query(query).set('Authorization', bearer(token));

    const all = await get({});
    const deadOnly = await get({ status: 'dead' });
    const ofContact = await get({ contactId: 'c1' });
    const page1 = await get({ limit: '2' });
    const page2 = await get({ limit: '2', cursor: page1.body.data.nextCursor });
    const ignored = await get({ status: 'ignored' });
    const bad = await get({ status: 'exploded' });

    expect(all.status).toBe(200);
    expect(all.body.data.entries.map((e: { id: string }) => e.id)).toEqual([cancelled, dead, done]);
    expect(all.body.data.entries[1]).toMatchObject({
      id: dead,
      source: 'responder',
      eventType: 'message.received',
      status: 'dead',
      attempts: 5,
      lastError: 'GHL answered 422',
      contactId: 'c1',
      summary: 'dana@example.com: שלום',
    });
    expect(deadOnly.body.data.entries.map((e: { id: string }) => e.id)).toEqual([dead]);
    expect(ofContact.body.data.entries.map((e: { id: string }) => e.id)).toEqual([dead, done]);
    expect([...page1.body.data.entries, ...page2.body.data.entries].map((e: { id: string }) => e.id)).toEqual([cancelled, dead, done]);
    expect(page2.body.data.nextCursor).toBeNull();
    expect(ignored.body.data.entries).toMatchObject([{ id: cancelled, status: 'ignored' }]);
    expect(bad.status).toBe(400);
  });

  it('POST /api/activity/:id/replay › dead event › 202, back to pending with attempts reset', async () => {
    const { inbox, add, token } = await arrange();
    const dead = await add('dead', 'c1');

    const res = await request(world.app).post(`/api/activity/${dead}/replay`).set('Authorization', bearer(token));

    expect(res.status).toBe(202);
    expect(res.body.data).toMatchObject({ id: dead, status: 'pending', attempts: 0 });
    expect((await inbox.get(dead))?.status).toBe('pending');
  });

  it('POST /api/activity/:id/replay › done or pending event › 409 conflict, unchanged; unknown id › 404', async () => {
    const { inbox, add, token } = await arrange();
    const done = await add('done', 'c1');
    const before = await inbox.get(done);

    const conflict = await request(world.app).post(`/api/activity/${done}/replay`).set('Authorization', bearer(token));
    const missing = await request(world.app).post('/api/activity/evt_nope/replay').set('Authorization', bearer(token));

    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('conflict');
    expect(await inbox.get(done)).toEqual(before);
    expect(missing.status).toBe(404);
  });

  it('POST /api/activity/:id/replay › same Idempotency-Key twice › second answers the first 202', async () => {
    const { add, token } = await arrange();
    const failed = await add('failed', null);
    const send = () =>
      request(world.app).post(`/api/activity/${failed}/replay`).set('Authorization', bearer(token)).set('Idempotency-Key', 'replay-1');
    const first = await send();
    const second = await send();
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
  });

  it('any /api route › no or bad bearer › 401 unauthorized', async () => {
    await arrange();
    const none = await request(world.app).get('/api/activity');
    const bad = await request(world.app).get('/api/contacts').set('Authorization', 'Bearer x.y.z');
    expect(none.status).toBe(401);
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('unauthorized');
  });
});
