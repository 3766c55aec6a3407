import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { InboxRepository } from '../../../server/db/repositories/inbox-repository';
import { MessageRepository } from '../../../server/db/repositories/message-repository';
import { inboxEvent } from '../../support/inbox-factory';
import { testDialects } from '../../support/test-db';
import { apiCalls, bearer, startPanelWorld, type PanelWorld } from './panel-api-test-kit';

/** Everything the database holds, table by table, to prove a request changed nothing. */
async function snapshotDb(world: PanelWorld): Promise<Record<string, unknown[]>> {
  const k = world.db.kysely;
  return {
    inbox: await k.selectFrom('inbox_events').selectAll().orderBy('id').execute(),
    ownWrites: await k.selectFrom('own_writes').selectAll().orderBy('id').execute(),
    messages: await k.selectFrom('messages').selectAll().orderBy('id').execute(),
    idempotency: await k.selectFrom('idempotency_keys').selectAll().orderBy('key').execute(),
    settings: await k.selectFrom('location_settings').selectAll().orderBy('location_id').execute(),
  };
}

describe.each(testDialects())('panel API tenant isolation (%s)', (dialect) => {
  let world: PanelWorld;
  afterEach(async () => world?.close());

  it('session of location A › every contact route with a contact of location B › 404 not_found, nothing of B changes', async () => {
    world = await startPanelWorld(dialect);
    const a = await world.installLocation();
    const b = await world.installLocation();
    const bContact = world.sim.addContact(b.id, { firstName: 'Secret', email: 'secret@b.example', tags: ['b-tag'] });
    // B's own records, made through B's session, so there is something to leak or change.
    const tokenB = await world.sessionToken(b);
    const bNote = await request(world.app).post(`/api/contacts/${bContact.id}/notes`).set('Authorization', bearer(tokenB)).send({ body: 'B only' });
    const bTask = await request(world.app)
      .post(`/api/contacts/${bContact.id}/tasks`)
      .set('Authorization', bearer(tokenB))
      .send({ title: 'B task', dueDate: '2025-05-01T07:00:00.000Z' });
    world.sim.addAppointment(b.id, bContact.id, { startTime: '2025-07-01T10:00:00.000Z', endTime: '2025-07-01T11:00:00.000Z' });
    await new MessageRepository(world.db).insert({
      locationId: b.id,
      contactId: bContact.id,
      inboxEventId: 'evt_b_1',
      eventType: 'message.received',
      channel: 'email',
      direction: 'inbound',
      subject: 'B subject',
      text: 'B text',
      url: null,
      listName: null,
      occurredAt: Date.now(),
    });
    expect(bNote.status).toBe(201);
    expect(bTask.status).toBe(201);
    const contactBefore = world.sim.getContact(bContact.id);
    const notesBefore = world.sim.getNotes(bContact.id);
    const tasksBefore = world.sim.getTasks(bContact.id);
    const dbBefore = await snapshotDb(world);
    const tokenA = await world.sessionToken(a, 'admin');
    world.sim.clearRequests();

    const c = `/api/contacts/${bContact.id}`;
    const attempts: [string, () => request.Test][] = [
      ['GET contact', () => request(world.app).get(c)],
      ['GET messages', () => request(world.app).get(`${c}/messages`)],
      ['GET notes', () => request(world.app).get(`${c}/notes`)],
      ['POST note', () => request(world.app).post(`${c}/notes`).set('Idempotency-Key', 'iso-1').send({ body: 'intrusion' })],
      ['GET tasks', () => request(world.app).get(`${c}/tasks`)],
      ['POST task', () => request(world.app).post(`${c}/tasks`).send({ title: 'x', dueDate: '2025-05-01T07:00:00.000Z' })],
      ['PUT task completed', () => request(world.app).put(`${c}/tasks/${bTask.body.data.id}/completed`).send({ completed: true })],
      ['POST tags', () => request(world.app).post(`${c}/tags`).send({ tags: ['intruder'] })],
      ['DELETE tags', () => request(world.app).delete(`${c}/tags`).send({ tags: ['b-tag'] })],
      ['GET appointments', () => request(world.app).get(`${c}/appointments`)],
    ];
    for (const [name, send] of attempts) {
      const res = await send().set('Authorization', bearer(tokenA));
      expect(res.status, name).toBe(404);
      expect(res.body, name).toEqual({ error: { code: 'not_found', message: 'Contact not found' } });
    }

    expect(world.sim.getContact(bContact.id)).toEqual(contactBefore);
    expect(world.sim.getNotes(bContact.id)).toEqual(notesBefore);
    expect(world.sim.getTasks(bContact.id)).toEqual(tasksBefore);
    // Only reads of the contact by id reached GHL; never a write, never under B's token.
    const calls = apiCalls(world.sim);
    expect(calls.every((r) => r.method === 'GET' && r.path === `/contacts/${bContact.id}`)).toBe(true);
    expect(calls.some((r) => r.resourceId === b.id)).toBe(false);
    expect(await snapshotDb(world)).toEqual(dbBefore);
  });

  it('session of location A › B task under A contact › 404, B task untouched', async () => {
    world = await startPanelWorld(dialect);
    const a = await world.installLocation();
    const b = await world.installLocation();
    const aContact = world.sim.addContact(a.id, { firstName: 'Mine' });
    const bContact = world.sim.addContact(b.id, { firstName: 'Theirs' });
    const bTask = await request(world.app)
      .post(`/api/contacts/${bContact.id}/tasks`)
      .set('Authorization', bearer(await world.sessionToken(b)))
      .send({ title: 'B task', dueDate: '2025-05-01T07:00:00.000Z' });

    const res = await request(world.app)
      .put(`/api/contacts/${aContact.id}/tasks/${bTask.body.data.id}/completed`)
      .set('Authorization', bearer(await world.sessionToken(a)))
      .send({ completed: true });

    expect(res.status).toBe(404);
    expect(world.sim.getTasks(bContact.id)[0]?.completed).toBe(false);
  });

  it('session of location A › activity of B › not listed, replay 404, B event unchanged', async () => {
    world = await startPanelWorld(dialect);
    const a = await world.installLocation();
    const b = await world.installLocation();
    const inbox = new InboxRepository(world.db);
    const { id: bEvent } = await inbox.insert(inboxEvent({ locationId: b.id }));
    await world.db.kysely.updateTable('inbox_events').set({ status: 'dead', contact_id: 'cB', last_error: 'boom' }).where('id', '=', bEvent).execute();
    const before = await inbox.get(bEvent);
    const tokenA = await world.sessionToken(a, 'admin');

    const list = await request(world.app).get('/api/activity').set('Authorization', bearer(tokenA));
    const byContact = await request(world.app).get('/api/activity').query({ contactId: 'cB' }).set('Authorization', bearer(tokenA));
    const replay = await request(world.app).post(`/api/activity/${bEvent}/replay`).set('Authorization', bearer(tokenA));

    expect(list.body.data.entries).toEqual([]);
    expect(byContact.body.data.entries).toEqual([]);
    expect(replay.status).toBe(404);
    expect(replay.body.error.code).toBe('not_found');
    expect(await inbox.get(bEvent)).toEqual(before);
  });

  it('session of location A › settings › only A is read and written, B keeps its webhook key', async () => {
    world = await startPanelWorld(dialect);
    const a = await world.installLocation();
    const b = await world.installLocation();
    const bSettings = await request(world.app).get('/api/settings').set('Authorization', bearer(await world.sessionToken(b)));
    const tokenA = await world.sessionToken(a, 'admin');

    const aSettings = await request(world.app).get('/api/settings').set('Authorization', bearer(tokenA));
    await request(world.app).post('/api/settings/responder/rotate-key').set('Authorization', bearer(tokenA)).send({});
    await request(world.app).put('/api/settings').set('Authorization', bearer(tokenA)).send({ dryRun: true });
    const bAfter = await request(world.app).get('/api/settings').set('Authorization', bearer(await world.sessionToken(b)));

    expect(aSettings.body.data.responder.webhookUrl).not.toBe(bSettings.body.data.responder.webhookUrl);
    expect(bAfter.body.data).toEqual(bSettings.body.data);
  });
});
