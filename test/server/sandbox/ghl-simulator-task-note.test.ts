import { afterEach, describe, expect, it } from 'vitest';
import { locationSession, startSimulator, type Harness } from './ghl-simulator-fixtures';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function withContact() {
  harness = await startSimulator();
  const s = await locationSession(harness);
  const contact = harness.sim.addContact(s.location.id, { firstName: 'Tal', tags: ['Existing'] });
  return { h: harness, s, contact };
}

const json = async <T = Record<string, unknown>>(response: Response) => (await response.json()) as T;

describe('GHL simulator tasks', () => {
  it('create › missing title, dueDate and completed › 422 listing each, nothing stored', async () => {
    const { h, s, contact } = await withContact();

    const response = await s.call('POST', `/contacts/${contact.id}/tasks`, { body: 'only a body' });

    expect(response.status).toBe(422);
    const { message } = await json<{ message: string[] }>(response);
    expect(message).toEqual(
      expect.arrayContaining([
        'title should not be empty',
        'dueDate should not be empty',
        'completed should not be empty',
      ]),
    );
    expect(h.sim.getTasks(contact.id)).toEqual([]);
  });

  it('create › unknown property › 422', async () => {
    const { s, contact } = await withContact();

    const response = await s.call('POST', `/contacts/${contact.id}/tasks`, {
      title: 'Call back',
      dueDate: '2026-01-02T10:00:00.000Z',
      completed: false,
      priority: 'high',
    });

    expect(response.status).toBe(422);
    expect((await json<{ message: string[] }>(response)).message).toEqual(['property priority should not exist']);
  });

  it('lifecycle › create, list, update, complete, delete › GHL wrappers at each step', async () => {
    const { h, s, contact } = await withContact();

    const created = await s.call('POST', `/contacts/${contact.id}/tasks`, {
      title: 'להתקשר',
      body: 'פרטים',
      dueDate: '2026-01-02T10:00:00.000Z',
      completed: false,
      assignedTo: 'user-1',
    });
    const { task } = await json<{ task: { id: string } }>(created);
    const list = await json(await s.call('GET', `/contacts/${contact.id}/tasks`));
    const updated = await json(await s.call('PUT', `/contacts/${contact.id}/tasks/${task.id}`, { title: 'Call' }));
    const completed = await json(
      await s.call('PUT', `/contacts/${contact.id}/tasks/${task.id}/completed`, { completed: true }),
    );
    const badComplete = await s.call('PUT', `/contacts/${contact.id}/tasks/${task.id}/completed`, {});
    const deleted = await json(await s.call('DELETE', `/contacts/${contact.id}/tasks/${task.id}`));

    expect(created.status).toBe(201);
    expect(task).toMatchObject({ title: 'להתקשר', body: 'פרטים', contactId: contact.id, assignedTo: 'user-1', completed: false });
    expect(list).toMatchObject({ tasks: [{ id: task.id }] });
    expect(updated).toMatchObject({ task: { id: task.id, title: 'Call' } });
    expect(completed).toMatchObject({ task: { id: task.id, completed: true } });
    expect(badComplete.status).toBe(422);
    expect(deleted).toEqual({ succeded: true });
    expect(h.sim.getTasks(contact.id)).toEqual([]);
  });
});

describe('GHL simulator notes', () => {
  it('create › no body › 422', async () => {
    const { s, contact } = await withContact();

    const response = await s.call('POST', `/contacts/${contact.id}/notes`, { title: 'no body' });

    expect(response.status).toBe(422);
  });

  it('lifecycle › Hebrew body › kept byte for byte through create, get, update, delete', async () => {
    const { h, s, contact } = await withContact();
    const text = 'הודעה חדשה מרב מסר: "שלום" 👋\nשורה שנייה';

    const created = await s.call('POST', `/contacts/${contact.id}/notes`, { body: text, userId: 'user-1' });
    const { note } = await json<{ note: { id: string; body: string } }>(created);
    const fetched = await json(await s.call('GET', `/contacts/${contact.id}/notes/${note.id}`));
    const list = await json(await s.call('GET', `/contacts/${contact.id}/notes`));
    const updated = await json(await s.call('PUT', `/contacts/${contact.id}/notes/${note.id}`, { body: 'עודכן' }));
    const deleted = await json(await s.call('DELETE', `/contacts/${contact.id}/notes/${note.id}`));

    expect(created.status).toBe(201);
    expect(note).toMatchObject({ body: text, contactId: contact.id, userId: 'user-1', dateAdded: expect.any(String) });
    expect(fetched).toMatchObject({ note: { body: text } });
    expect(list).toMatchObject({ notes: [{ id: note.id, body: text }] });
    expect(updated).toMatchObject({ note: { body: 'עודכן' } });
    expect(deleted).toEqual({ succeded: true });
    expect(h.sim.getNotes(contact.id)).toEqual([]);
  });

  it('get › note of another contact › 400 not found', async () => {
    const { h, s, contact } = await withContact();
    const other = h.sim.addContact(s.location.id, { firstName: 'Other' });
    const { note } = await json<{ note: { id: string } }>(
      await s.call('POST', `/contacts/${other.id}/notes`, { body: 'x' }),
    );

    const response = await s.call('GET', `/contacts/${contact.id}/notes/${note.id}`);

    expect(response.status).toBe(400);
  });
});

describe('GHL simulator tags and appointments', () => {
  it('add tags › repeated and differently cased › idempotent, {tags} lists all', async () => {
    const { h, s, contact } = await withContact();

    const first = await s.call('POST', `/contacts/${contact.id}/tags`, { tags: ['VIP', 'vip', 'לקוח'] });
    const again = await json(await s.call('POST', `/contacts/${contact.id}/tags`, { tags: ['Vip', 'existing'] }));

    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ tags: ['Existing', 'vip', 'לקוח'] });
    expect(again).toEqual({ tags: ['Existing', 'vip', 'לקוח'] });
    expect(h.sim.getContact(contact.id)?.tags).toEqual(['Existing', 'vip', 'לקוח']);
  });

  it('remove tags › case-insensitive › {tags} left', async () => {
    const { s, contact } = await withContact();
    await s.call('POST', `/contacts/${contact.id}/tags`, { tags: ['a', 'b'] });

    const response = await s.call('DELETE', `/contacts/${contact.id}/tags`, { tags: ['A', 'existing'] });

    expect(await response.json()).toEqual({ tags: ['b'] });
  });

  it('tags › missing tags array › 422', async () => {
    const { s, contact } = await withContact();

    const response = await s.call('POST', `/contacts/${contact.id}/tags`, {});

    expect(response.status).toBe(422);
  });

  it('appointments › seeded appointment › {events}', async () => {
    const { h, s, contact } = await withContact();
    const appointment = h.sim.addAppointment(s.location.id, contact.id, { title: 'Consultation' });

    const body = await json(await s.call('GET', `/contacts/${contact.id}/appointments`));

    expect(body).toEqual({
      events: [expect.objectContaining({ id: appointment.id, title: 'Consultation', contactId: contact.id })],
    });
  });
});
