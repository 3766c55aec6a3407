import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../../server/errors';
import { apiRequests, startGhlWorld, type GhlWorld } from './ghl-test-kit';

describe('GhlClient › endpoints against the GHL simulator', () => {
  let world: GhlWorld;
  let loc: string;

  beforeEach(async () => {
    world = await startGhlWorld();
    loc = await world.addInstalledLocation();
  });
  afterEach(async () => {
    await world.close();
  });

  /** The last API call the simulator saw. */
  const last = () => apiRequests(world.sim).at(-1)!;

  it('getContact › existing contact › parses it and sends GET with Version 2021-07-28', async () => {
    const seeded = world.sim.addContact(loc, { firstName: 'דנה', lastName: 'כהן', email: 'dana@example.com', tags: ['vip'] });

    const contact = await world.client.getContact(loc, seeded.id);

    expect(contact).toMatchObject({ id: seeded.id, locationId: loc, firstName: 'דנה', lastName: 'כהן', tags: ['vip'] });
    expect(last()).toMatchObject({ method: 'GET', path: `/contacts/${seeded.id}`, versionHeader: '2021-07-28', status: 200 });
    expect(world.calls.at(-1)).toMatchObject({ locationId: loc, method: 'GET', status: 200 });
  });

  it('getContact › unknown id › UpstreamError permanent with status 404', async () => {
    const err = await world.client.getContact(loc, 'nope0000000000000000').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe('permanent');
    expect((err as UpstreamError).status).toBe(404);
    expect((err as UpstreamError).message).toMatch(/not found/i);
  });

  it('getContact › extra fields in the answer › kept on the parsed object', async () => {
    const seeded = world.sim.addContact(loc, { email: 'x@example.com' });

    const contact = await world.client.getContact(loc, seeded.id);

    expect((contact as Record<string, unknown>).emailLowerCase).toBe('x@example.com');
  });

  it('createContact › new email › POSTs the body with locationId and returns the contact', async () => {
    const contact = await world.client.createContact(loc, { firstName: 'Avi', email: 'avi@example.com', tags: ['a'] });

    expect(contact.email).toBe('avi@example.com');
    expect(last()).toMatchObject({ method: 'POST', path: '/contacts/', versionHeader: '2021-07-28', status: 201 });
    expect(last().body).toEqual({ firstName: 'Avi', email: 'avi@example.com', tags: ['a'], locationId: loc });
  });

  it('updateContact › gender, companyName and locationId passed in › stripped from the PUT body', async () => {
    const seeded = world.sim.addContact(loc, { firstName: 'Old' });
    const input = { firstName: 'New', gender: 'female', companyName: 'Acme', locationId: loc } as never;

    const contact = await world.client.updateContact(loc, seeded.id, input);

    expect(contact.firstName).toBe('New');
    expect(last()).toMatchObject({ method: 'PUT', path: `/contacts/${seeded.id}`, status: 200 });
    expect(last().body).toEqual({ firstName: 'New' });
  });

  it('deleteContact › existing contact › DELETE and the contact is gone', async () => {
    const seeded = world.sim.addContact(loc, { firstName: 'Gone' });

    await world.client.deleteContact(loc, seeded.id);

    expect(last()).toMatchObject({ method: 'DELETE', path: `/contacts/${seeded.id}`, status: 200 });
    await expect(world.client.getContact(loc, seeded.id)).rejects.toMatchObject({ status: 404 });
  });

  it('upsertContact › first then same email › created true, then false with the same id', async () => {
    const first = await world.client.upsertContact(loc, { email: 'up@example.com', firstName: 'One' });
    const second = await world.client.upsertContact(loc, { email: 'up@example.com', lastName: 'Two' });

    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.contact.id).toBe(first.contact.id);
    expect(last()).toMatchObject({ method: 'POST', path: '/contacts/upsert' });
    expect(last().body).toEqual({ email: 'up@example.com', lastName: 'Two', locationId: loc });
  });

  it('searchContacts › query › POSTs the search body and returns contacts with total', async () => {
    world.sim.addContact(loc, { firstName: 'Searchable', email: 's1@example.com' });
    world.sim.addContact(loc, { firstName: 'Other', email: 'o@example.com' });

    const result = await world.client.searchContacts(loc, { query: 'searchable', page: 1, pageLimit: 20 });

    expect(result.total).toBe(1);
    expect(result.contacts.map((c) => c.firstName)).toEqual(['Searchable']);
    expect(last()).toMatchObject({ method: 'POST', path: '/contacts/search' });
    expect(last().body).toEqual({ locationId: loc, query: 'searchable', page: 1, pageLimit: 20 });
  });

  it('findDuplicate › phone with + › sent URL-encoded and matched', async () => {
    const seeded = world.sim.addContact(loc, { phone: '+972501234567' });

    const found = await world.client.findDuplicate(loc, { phone: '+972501234567' });

    expect(found?.id).toBe(seeded.id);
    expect(last()).toMatchObject({ method: 'GET', path: '/contacts/search/duplicate' });
    expect(last().query).toEqual({ locationId: loc, number: '+972501234567' });
  });

  it('findDuplicate › email with + and no match › null', async () => {
    const found = await world.client.findDuplicate(loc, { email: 'a+b@example.com' });

    expect(found).toBeNull();
    expect(last().query).toEqual({ locationId: loc, email: 'a+b@example.com' });
  });

  it('contactsByBusiness › contacts of the business › listed with locationId, limit and skip', async () => {
    const seeded = world.sim.addContact(loc, { firstName: 'Biz', businessId: 'biz1' });
    world.sim.addContact(loc, { firstName: 'NoBiz' });

    const contacts = await world.client.contactsByBusiness(loc, 'biz1', { limit: 10, skip: 0 });

    expect(contacts.map((c) => c.id)).toEqual([seeded.id]);
    expect(last()).toMatchObject({ method: 'GET', path: '/contacts/business/biz1' });
    expect(last().query).toEqual({ locationId: loc, limit: '10', skip: '0' });
  });

  it('listAppointments › contact with an appointment › events parsed', async () => {
    const contact = world.sim.addContact(loc, { firstName: 'Appt' });
    const appointment = world.sim.addAppointment(loc, contact.id, { title: 'Meeting' });

    const events = await world.client.listAppointments(loc, contact.id);

    expect(events).toEqual([expect.objectContaining({ id: appointment.id, title: 'Meeting', contactId: contact.id })]);
    expect(last()).toMatchObject({ method: 'GET', path: `/contacts/${contact.id}/appointments` });
  });

  it('tasks › create, get, list, update, complete, delete › each call hits its endpoint', async () => {
    const contact = world.sim.addContact(loc, { firstName: 'Tasked' });
    const dueDate = '2026-05-01T10:00:00.000Z';

    const created = await world.client.createTask(loc, contact.id, { title: 'Call back', dueDate, completed: false });
    expect(last()).toMatchObject({ method: 'POST', path: `/contacts/${contact.id}/tasks`, status: 201 });
    expect(last().body).toEqual({ title: 'Call back', dueDate, completed: false });

    const fetched = await world.client.getTask(loc, contact.id, created.id);
    const listed = await world.client.listTasks(loc, contact.id);
    const updated = await world.client.updateTask(loc, contact.id, created.id, { title: 'Call back today' });
    expect(last()).toMatchObject({ method: 'PUT', path: `/contacts/${contact.id}/tasks/${created.id}` });
    const completed = await world.client.completeTask(loc, contact.id, created.id);
    expect(last()).toMatchObject({ method: 'PUT', path: `/contacts/${contact.id}/tasks/${created.id}/completed` });
    expect(last().body).toEqual({ completed: true });
    await world.client.deleteTask(loc, contact.id, created.id);
    expect(last()).toMatchObject({ method: 'DELETE', path: `/contacts/${contact.id}/tasks/${created.id}`, status: 200 });

    expect(created).toMatchObject({ title: 'Call back', completed: false, contactId: contact.id });
    expect(fetched.id).toBe(created.id);
    expect(listed.map((t) => t.id)).toEqual([created.id]);
    expect(updated.title).toBe('Call back today');
    expect(completed.completed).toBe(true);
    await expect(world.client.listTasks(loc, contact.id)).resolves.toEqual([]);
  });

  it('notes › create, get, list, update, delete › Hebrew body passes byte for byte', async () => {
    const contact = world.sim.addContact(loc, { firstName: 'Noted' });
    const body = 'הודעה חדשה מרב מסר: שלום 👋';

    const created = await world.client.createNote(loc, contact.id, { body });
    expect(last()).toMatchObject({ method: 'POST', path: `/contacts/${contact.id}/notes`, status: 201 });
    expect(last().body).toEqual({ body });
    const fetched = await world.client.getNote(loc, contact.id, created.id);
    const listed = await world.client.listNotes(loc, contact.id);
    const updated = await world.client.updateNote(loc, contact.id, created.id, { body: `${body} (עודכן)` });
    expect(last()).toMatchObject({ method: 'PUT', path: `/contacts/${contact.id}/notes/${created.id}` });
    await world.client.deleteNote(loc, contact.id, created.id);
    expect(last()).toMatchObject({ method: 'DELETE', path: `/contacts/${contact.id}/notes/${created.id}` });

    expect(created.body).toBe(body);
    expect(fetched.body).toBe(body);
    expect(listed.map((n) => n.id)).toEqual([created.id]);
    expect(updated.body).toBe(`${body} (עודכן)`);
    await expect(world.client.getNote(loc, contact.id, created.id)).rejects.toMatchObject({ status: 404 });
  });

  it('tags › add then remove › POST and DELETE with a {tags} body, returning the contact tags', async () => {
    const contact = world.sim.addContact(loc, { tags: ['existing'] });

    const afterAdd = await world.client.addTags(loc, contact.id, ['responder', 'לקוח']);
    expect(last()).toMatchObject({ method: 'POST', path: `/contacts/${contact.id}/tags` });
    expect(last().body).toEqual({ tags: ['responder', 'לקוח'] });
    const afterRemove = await world.client.removeTags(loc, contact.id, ['responder']);
    expect(last()).toMatchObject({ method: 'DELETE', path: `/contacts/${contact.id}/tags` });
    expect(last().body).toEqual({ tags: ['responder'] });

    expect(afterAdd).toEqual(expect.arrayContaining(['existing', 'responder', 'לקוח']));
    expect(afterRemove).not.toContain('responder');
    expect(afterRemove).toContain('existing');
  });

  it('listUsers › location with a user › GET /users/ with locationId', async () => {
    const user = world.sim.addUser(loc, { firstName: 'Rina', lastName: 'Levi' });

    const users = await world.client.listUsers(loc);

    expect(users).toEqual(expect.arrayContaining([expect.objectContaining({ id: user.id, firstName: 'Rina' })]));
    expect(last()).toMatchObject({ method: 'GET', path: '/users/', versionHeader: '2021-07-28' });
    expect(last().query).toEqual({ locationId: loc });
  });

  it('getLocation › installed location › id, name, timezone and companyId', async () => {
    const location = await world.client.getLocation(loc);

    expect(location).toMatchObject({ id: loc, companyId: world.companyId });
    expect(typeof location.timezone).toBe('string');
    expect(last()).toMatchObject({ method: 'GET', path: `/locations/${loc}` });
  });
});
