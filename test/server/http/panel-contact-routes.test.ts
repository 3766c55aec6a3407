import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { ContactStateRepository } from '../../../server/db/repositories/contact-state-repository';
import { MessageRepository } from '../../../server/db/repositories/message-repository';
import { OwnWriteRepository } from '../../../server/db/repositories/own-write-repository';
import { testDialects } from '../../support/test-db';
import { apiCalls, bearer, startPanelWorld, type InstalledLocation, type PanelWorld } from './panel-api-test-kit';

describe.each(testDialects())('panel API contact routes (%s)', (dialect) => {
  let world: PanelWorld;
  afterEach(async () => world?.close());

  async function arrange(): Promise<{ loc: InstalledLocation; token: string; contactId: string }> {
    world = await startPanelWorld(dialect);
    const loc = await world.installLocation();
    const contact = world.sim.addContact(loc.id, {
      firstName: 'ישראל',
      lastName: 'ישראלי',
      email: 'israel@example.com',
      phone: '+972501234567',
      tags: ['vip'],
      assignedTo: loc.user.id,
    });
    const token = await world.sessionToken(loc);
    return { loc, token, contactId: contact.id };
  }

  it('GET /api/contacts › query › search within the location, owner name resolved', async () => {
    const { loc, token, contactId } = await arrange();
    world.sim.addContact(loc.id, { firstName: 'Other', email: 'other@example.com' });

    const res = await request(world.app).get('/api/contacts').query({ query: 'israel@example.com' }).set('Authorization', bearer(token));

    expect(res.status).toBe(200);
    expect(res.body.data.contacts).toHaveLength(1);
    expect(res.body.data.contacts[0]).toMatchObject({
      id: contactId,
      name: 'ישראל ישראלי',
      email: 'israel@example.com',
      owner: { id: loc.user.id, name: 'Avi Levi' },
    });
    const search = apiCalls(world.sim).find((r) => r.path === '/contacts/search');
    expect(search?.body).toMatchObject({ locationId: loc.id, query: 'israel@example.com', page: 1 });
  });

  it('GET /api/contacts/:id › known contact › summary with tags, owner and the last stored message', async () => {
    const { loc, token, contactId } = await arrange();
    await new ContactStateRepository(world.db).recordLastMessage(loc.id, contactId, { text: 'שלום, מה שלומך?', at: Date.UTC(2025, 4, 1, 9) });

    const res = await request(world.app).get(`/api/contacts/${contactId}`).set('Authorization', bearer(token));

    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      id: contactId,
      firstName: 'ישראל',
      lastName: 'ישראלי',
      name: 'ישראל ישראלי',
      email: 'israel@example.com',
      phone: '+972501234567',
      tags: ['vip'],
      owner: { id: loc.user.id, name: 'Avi Levi' },
      dnd: false,
      lastMessageAt: '2025-05-01T09:00:00.000Z',
      lastMessageText: 'שלום, מה שלומך?',
    });
  });

  it('GET /api/contacts/:id › GHL does not know the id › 404 not_found', async () => {
    const { token } = await arrange();
    const res = await request(world.app).get('/api/contacts/doesNotExist123').set('Authorization', bearer(token));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('GET …/messages › cursor paging, q and channel › newest first, Hebrew intact, filters applied', async () => {
    const { loc, token, contactId } = await arrange();
    const messages = new MessageRepository(world.db);
    const base = Date.UTC(2025, 0, 1);
    for (let i = 0; i < 5; i++) {
      await messages.insert({
        locationId: loc.id,
        contactId,
        inboxEventId: `evt_${i}`,
        eventType: 'message.received',
        channel: i % 2 === 0 ? 'email' : 'sms',
        direction: 'inbound',
        subject: i === 3 ? 'הזמנה חדשה' : `Subject ${i}`,
        text: `גוף ההודעה ${i}`,
        url: null,
        listName: 'רשימה',
        occurredAt: base + i * 60_000,
      });
    }
    const get = (query: Record<string, string>) =>
      request(world.app).get(`/api/contacts/${contactId}/messages`).query(query).set('Authorization', bearer(token));

    const first = await get({ limit: '2' });
    const second = await get({ limit: '2', cursor: first.body.data.nextCursor });
    const third = await get({ limit: '2', cursor: second.body.data.nextCursor });
    const search = await get({ q: 'הזמנה' });
    const sms = await get({ channel: 'sms' });
    const badChannel = await get({ channel: 'fax' });

    expect(first.status).toBe(200);
    expect(first.body.data.messages.map((m: { text: string }) => m.text)).toEqual(['גוף ההודעה 4', 'גוף ההודעה 3']);
    expect(second.body.data.messages.map((m: { text: string }) => m.text)).toEqual(['גוף ההודעה 2', 'גוף ההודעה 1']);
    expect(third.body.data.messages.map((m: { text: string }) => m.text)).toEqual(['גוף ההודעה 0']);
    expect(third.body.data.nextCursor).toBeNull();
    expect(first.body.data.messages[0]).toMatchObject({
      eventType: 'message.received',
      channel: 'email',
      direction: 'inbound',
      listName: 'רשימה',
      occurredAt: new Date(base + 4 * 60_000).toISOString(),
    });
    expect(search.body.data.messages.map((m: { subject: string }) => m.subject)).toEqual(['הזמנה חדשה']);
    expect(sms.body.data.messages.map((m: { channel: string }) => m.channel)).toEqual(['sms', 'sms']);
    expect(badChannel.status).toBe(400);
    expect(badChannel.body.error.details[0].path).toBe('channel');
  });

  it('notes › list and create › note reaches GHL with the panel user as author, 201, own write recorded', async () => {
    const { loc, token, contactId } = await arrange();
    const body = 'שיחה עם הלקוח: מעוניין בהצעה ✓';

    const created = await request(world.app).post(`/api/contacts/${contactId}/notes`).set('Authorization', bearer(token)).send({ body });
    const listed = await request(world.app).get(`/api/contacts/${contactId}/notes`).set('Authorization', bearer(token));

    expect(created.status).toBe(201);
    const notes = world.sim.getNotes(contactId);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ body, userId: loc.user.id });
    expect(created.body.data).toMatchObject({ id: notes[0]!.id, contactId, body, userId: loc.user.id });
    expect(listed.body.data.notes).toEqual([created.body.data]);
    const writes = await new OwnWriteRepository(world.db).recent(loc.id, contactId, 0);
    expect(writes).toMatchObject([{ kind: 'note', detail: { noteId: notes[0]!.id, source: 'panel', userId: loc.user.id } }]);
  });

  it('notes › blank body › 422 naming body, nothing sent to GHL', async () => {
    const { token, contactId } = await arrange();
    world.sim.clearRequests();
    const res = await request(world.app).post(`/api/contacts/${contactId}/notes`).set('Authorization', bearer(token)).send({ body: '   ' });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ path: 'body', message: 'Note must not be blank' }]);
    expect(apiCalls(world.sim)).toEqual([]);
  });

  it('tasks › create, list, complete › GHL gets completed:false then true; open tasks listed first', async () => {
    const { loc, token, contactId } = await arrange();
    const auth = bearer(token);
    const dueDate = '2025-06-01T07:00:00.000Z';

    const created = await request(world.app)
      .post(`/api/contacts/${contactId}/tasks`)
      .set('Authorization', auth)
      .send({ title: 'להתקשר ללקוח', body: 'לגבי ההצעה', dueDate, assignedTo: loc.admin.id });
    const second = await request(world.app)
      .post(`/api/contacts/${contactId}/tasks`)
      .set('Authorization', auth)
      .send({ title: 'Later', dueDate: '2025-05-01T07:00:00.000Z' });
    const completed = await request(world.app)
      .put(`/api/contacts/${contactId}/tasks/${second.body.data.id}/completed`)
      .set('Authorization', auth)
      .send({ completed: true });
    const listed = await request(world.app).get(`/api/contacts/${contactId}/tasks`).set('Authorization', auth);

    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ contactId, title: 'להתקשר ללקוח', body: 'לגבי ההצעה', dueDate, completed: false, assignedTo: loc.admin.id });
    const createCall = apiCalls(world.sim).find((r) => r.method === 'POST' && r.path === `/contacts/${contactId}/tasks`);
    expect(createCall?.body).toEqual({ title: 'להתקשר ללקוח', body: 'לגבי ההצעה', dueDate, completed: false, assignedTo: loc.admin.id });
    expect(completed.status).toBe(200);
    expect(completed.body.data).toMatchObject({ id: second.body.data.id, completed: true });
    expect(world.sim.getTasks(contactId).find((t) => t.id === second.body.data.id)?.completed).toBe(true);
    expect(listed.body.data.tasks.map((t: { id: string }) => t.id)).toEqual([created.body.data.id, second.body.data.id]);
  });

  it('tasks › complete an id that is not a task of this contact › 404, nothing changed', async () => {
    const { loc, token, contactId } = await arrange();
    const other = world.sim.addContact(loc.id, { firstName: 'Other' });
    const task = await request(world.app)
      .post(`/api/contacts/${other.id}/tasks`)
      .set('Authorization', bearer(token))
      .send({ title: 'Not yours', dueDate: '2025-05-01T07:00:00.000Z' });

    const res = await request(world.app)
      .put(`/api/contacts/${contactId}/tasks/${task.body.data.id}/completed`)
      .set('Authorization', bearer(token))
      .send({ completed: true });

    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect(world.sim.getTasks(other.id)[0]?.completed).toBe(false);
  });

  it('tags › add then remove › contact tags at GHL follow, answers carry the tags after', async () => {
    const { loc, token, contactId } = await arrange();
    const added = await request(world.app)
      .post(`/api/contacts/${contactId}/tags`)
      .set('Authorization', bearer(token))
      .send({ tags: ['לקוח חם', 'newsletter'] });
    const removed = await request(world.app)
      .delete(`/api/contacts/${contactId}/tags`)
      .set('Authorization', bearer(token))
      .send({ tags: ['vip'] });

    expect(added.status).toBe(201);
    expect(added.body.data.tags).toEqual(expect.arrayContaining(['vip', 'לקוח חם', 'newsletter']));
    expect(removed.status).toBe(200);
    expect(removed.body.data.tags).not.toContain('vip');
    expect(world.sim.getContact(contactId)?.tags).toEqual(removed.body.data.tags);
    const kinds = (await new OwnWriteRepository(world.db).recent(loc.id, contactId, 0)).map((w) => [w.kind, w.detail.source]);
    expect(kinds).toEqual([
      ['tags_added', 'panel'],
      ['tags_removed', 'panel'],
    ]);
  });

  it('tags › empty list › 422 naming tags', async () => {
    const { token, contactId } = await arrange();
    const res = await request(world.app).post(`/api/contacts/${contactId}/tags`).set('Authorization', bearer(token)).send({ tags: [] });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('tags');
  });

  it('GET …/appointments › two appointments › by start time ascending', async () => {
    const { loc, token, contactId } = await arrange();
    const later = world.sim.addAppointment(loc.id, contactId, {
      title: 'פגישת המשך',
      startTime: '2025-07-02T10:00:00.000Z',
      endTime: '2025-07-02T10:30:00.000Z',
    });
    const sooner = world.sim.addAppointment(loc.id, contactId, { title: 'Intro', startTime: '2025-07-01T10:00:00.000Z', endTime: '2025-07-01T10:30:00.000Z' });

    const res = await request(world.app).get(`/api/contacts/${contactId}/appointments`).set('Authorization', bearer(token));

    expect(res.status).toBe(200);
    expect(res.body.data.appointments.map((a: { id: string }) => a.id)).toEqual([sooner.id, later.id]);
    expect(res.body.data.appointments[1]).toMatchObject({ title: 'פגישת המשך', startTime: '2025-07-02T10:00:00.000Z', endTime: '2025-07-02T10:30:00.000Z' });
  });

  it('GET /api/users › location users › sorted by name, GHL asked for this location', async () => {
    const { loc, token } = await arrange();
    const res = await request(world.app).get('/api/users').set('Authorization', bearer(token));
    expect(res.status).toBe(200);
    expect(res.body.data.users).toEqual([
      { id: loc.user.id, name: 'Avi Levi', email: 'avi@example.com' },
      { id: loc.admin.id, name: 'דנה כהן', email: 'dana@example.com' },
    ]);
    expect(apiCalls(world.sim).find((r) => r.path === '/users/' || r.path === '/users')?.query).toMatchObject({ locationId: loc.id });
  });

  it('GET /api/tags › tags on the location\'s contacts › the location tag list, sorted, from GHL', async () => {
    const { loc, token, contactId } = await arrange();
    await request(world.app)
      .post(`/api/contacts/${contactId}/tags`)
      .set('Authorization', bearer(token))
      .send({ tags: ['vip', 'לקוח חוזר'] });

    const res = await request(world.app).get('/api/tags').set('Authorization', bearer(token));

    expect(res.status).toBe(200);
    expect(res.body.data.tags).toEqual(expect.arrayContaining(['vip', 'לקוח חוזר']));
    expect(apiCalls(world.sim).some((r) => r.path === `/locations/${loc.id}/tags`)).toBe(true);
  });

  it('upstream failures › GHL answers 500 › 502 upstream_unavailable; location needs reconnect › 409 needs_reconnect', async () => {
    const { loc, token, contactId } = await arrange();
    world.sim.setFaults({ errorRate: 1 });
    const down = await request(world.app).get(`/api/contacts/${contactId}/notes`).set('Authorization', bearer(token));
    world.sim.resetFaults();
    await world.installations.markStatus('location', loc.id, 'needs_reconnect', 'invalid_grant', Date.now());
    const parked = await request(world.app).get('/api/users').set('Authorization', bearer(token));

    expect(down.status).toBe(502);
    expect(down.body.error.code).toBe('upstream_unavailable');
    expect(parked.status).toBe(409);
    expect(parked.body.error.code).toBe('needs_reconnect');
  });

  it('upstream failures › GHL answers 429 › 429 rate_limited with Retry-After', async () => {
    const { token, contactId } = await arrange();
    await request(world.app).get(`/api/contacts/${contactId}`).set('Authorization', bearer(token));
    world.sim.setFaults({ rateLimitBurst: 1 });
    const res = await request(world.app).get(`/api/contacts/${contactId}/tasks`).set('Authorization', bearer(token));
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
