import { afterEach, describe, expect, it } from 'vitest';
import { locationSession, startSimulator, type Harness, type LocationSession } from './ghl-simulator-fixtures';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function session(location: Parameters<typeof locationSession>[1] = {}) {
  harness = await startSimulator();
  return { h: harness, s: await locationSession(harness, location) };
}

interface ContactBody {
  id: string;
  email?: string;
  phone?: string;
  firstName?: string;
  lastName?: string;
  name?: string;
  tags: string[];
  gender?: string;
  customFields: { id: string; value: unknown }[];
}

const json = async <T = Record<string, unknown>>(response: Response) => (await response.json()) as T;

async function upsert(s: LocationSession, body: Record<string, unknown>) {
  const response = await s.call('POST', '/contacts/upsert', { locationId: s.location.id, ...body });
  return { status: response.status, body: await json<{ new: boolean; contact: ContactBody; traceId: string }>(response) };
}

describe('GHL simulator contacts › create', () => {
  it('create › new contact › 201 {contact} with name, lower-case helpers and dates', async () => {
    const { h, s } = await session();

    const response = await s.call('POST', '/contacts/', {
      locationId: s.location.id,
      firstName: 'יעל',
      lastName: 'כהן',
      email: 'Yael@Example.com',
      phone: '050-123-4567',
      tags: ['Lead'],
      customFields: [{ id: 'cf1', field_value: 'x' }],
    });

    expect(response.status).toBe(201);
    const { contact } = await json<{ contact: ContactBody & Record<string, unknown> }>(response);
    expect(contact).toMatchObject({
      locationId: s.location.id,
      name: 'יעל כהן',
      email: 'Yael@Example.com',
      emailLowerCase: 'yael@example.com',
      phone: '050-123-4567',
      tags: ['lead'],
      customFields: [{ id: 'cf1', value: 'x' }],
      dateAdded: expect.any(String),
      dateUpdated: expect.any(String),
    });
    expect(h.sim.getContact(contact.id)?.firstName).toBe('יעל');
    expect(h.sim.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/contacts/',
      resourceId: s.location.id,
      contentType: 'application/json',
      status: 201,
      body: expect.objectContaining({ firstName: 'יעל' }),
    });
  });

  it('create › duplicates disallowed, same email in another case › 400 with meta.contactId', async () => {
    const { h, s } = await session();
    const existing = h.sim.addContact(s.location.id, { email: 'dana@example.com', firstName: 'Dana' });

    const response = await s.call('POST', '/contacts/', { locationId: s.location.id, email: 'DANA@example.com' });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      message: 'This location does not allow duplicated contacts.',
      meta: { contactId: existing.id, matchingField: 'email' },
    });
    expect(h.sim.getContacts(s.location.id)).toHaveLength(1);
  });

  it('create › same phone written differently › 400 matching on phone', async () => {
    const { h, s } = await session();
    const existing = h.sim.addContact(s.location.id, { phone: '+972501234567' });

    const response = await s.call('POST', '/contacts/', { locationId: s.location.id, phone: '050-123-4567' });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ meta: { contactId: existing.id, matchingField: 'phone' } });
  });

  it('create › duplicates allowed › second contact with the same email', async () => {
    const { h, s } = await session({ allowDuplicateContact: true });
    h.sim.addContact(s.location.id, { email: 'dana@example.com' });

    const response = await s.call('POST', '/contacts/', { locationId: s.location.id, email: 'dana@example.com' });

    expect(response.status).toBe(201);
    expect(h.sim.getContacts(s.location.id)).toHaveLength(2);
  });

  it('create › no locationId › 422', async () => {
    const { s } = await session();

    const response = await s.call('POST', '/contacts/', { email: 'a@example.com' });

    expect(response.status).toBe(422);
    expect((await json<{ message: string[] }>(response)).message).toContain('locationId should not be empty');
  });
});

describe('GHL simulator contacts › upsert', () => {
  it('upsert › unknown then known email › new:true then new:false on the same contact', async () => {
    const { h, s } = await session();

    const first = await upsert(s, { email: 'noa@example.com', firstName: 'Noa', tags: ['a', 'b'] });
    const second = await upsert(s, { email: 'NOA@example.com', lastName: 'Bar', tags: ['c'] });

    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ new: true, traceId: expect.any(String) });
    expect(second.body.new).toBe(false);
    expect(second.body.contact.id).toBe(first.body.contact.id);
    expect(second.body.contact).toMatchObject({ firstName: 'Noa', lastName: 'Bar', name: 'Noa Bar', tags: ['c'] });
    expect(h.sim.getContacts(s.location.id)).toHaveLength(1);
  });

  it('upsert › email matches A, phone matches B, priority email › A updated, phone ignored, B untouched', async () => {
    const { h, s } = await session({ duplicatePriority: ['email', 'phone'] });
    const a = h.sim.addContact(s.location.id, { email: 'a@example.com', phone: '+972521111111' });
    const b = h.sim.addContact(s.location.id, { email: 'b@example.com', phone: '+972522222222' });

    const result = await upsert(s, { email: 'a@example.com', phone: '052-2222222', firstName: 'Avi' });

    expect(result.body).toMatchObject({ new: false, contact: { id: a.id, phone: '+972521111111', firstName: 'Avi' } });
    expect(h.sim.getContact(b.id)).toMatchObject({ email: 'b@example.com', phone: '+972522222222' });
    expect(h.sim.getContact(b.id)?.firstName).toBeUndefined();
  });

  it('upsert › same split, priority phone › B updated, email ignored', async () => {
    const { h, s } = await session({ duplicatePriority: ['phone', 'email'] });
    const a = h.sim.addContact(s.location.id, { email: 'a@example.com', phone: '+972521111111' });
    const b = h.sim.addContact(s.location.id, { email: 'b@example.com', phone: '+972522222222' });

    const result = await upsert(s, { email: 'a@example.com', phone: '+972522222222', firstName: 'Bat' });

    expect(result.body).toMatchObject({ new: false, contact: { id: b.id, email: 'b@example.com', firstName: 'Bat' } });
    expect(h.sim.getContact(a.id)?.firstName).toBeUndefined();
  });

  it('upsert › phone-only match › existing contact gets the new email', async () => {
    const { h, s } = await session();
    const existing = h.sim.addContact(s.location.id, { phone: '+972531234567' });

    const result = await upsert(s, { phone: '053-123-4567', email: 'new@example.com' });

    expect(result.body).toMatchObject({ new: false, contact: { id: existing.id, email: 'new@example.com' } });
  });

  it('upsert › gender on an existing contact › 200 and gender dropped', async () => {
    const { h, s } = await session();
    const existing = h.sim.addContact(s.location.id, { email: 'g@example.com' });

    const result = await upsert(s, { email: 'g@example.com', gender: 'female' });

    expect(result.status).toBe(200);
    expect(h.sim.getContact(existing.id)?.gender).toBeUndefined();
  });

  it('upsert › createNewIfDuplicateAllowed on a location allowing duplicates › new contact', async () => {
    const { h, s } = await session({ allowDuplicateContact: true });
    h.sim.addContact(s.location.id, { email: 'dup@example.com' });

    const result = await upsert(s, { email: 'dup@example.com', createNewIfDuplicateAllowed: true });

    expect(result.body.new).toBe(true);
    expect(h.sim.getContacts(s.location.id)).toHaveLength(2);
  });
});

describe('GHL simulator contacts › read, update, delete, search', () => {
  it('update › unknown properties › 422 naming each, nothing changed', async () => {
    const { h, s } = await session();
    const contact = h.sim.addContact(s.location.id, { firstName: 'Old' });

    const response = await s.call('PUT', `/contacts/${contact.id}`, {
      firstName: 'New',
      gender: 'male',
      locationId: s.location.id,
      companyName: 'Acme',
    });

    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      statusCode: 422,
      message: expect.arrayContaining([
        'property gender should not exist',
        'property locationId should not exist',
        'property companyName should not exist',
      ]),
    });
    expect(h.sim.getContact(contact.id)?.firstName).toBe('Old');
  });

  it('update › valid body › {succeded, contact}, tags replaced, custom fields merged', async () => {
    const { h, s } = await session();
    const contact = h.sim.addContact(s.location.id, {
      tags: ['old'],
      customFields: [{ id: 'keep', value: 1 }, { id: 'change', value: 'a' }],
    });

    const response = await s.call('PUT', `/contacts/${contact.id}`, {
      assignedTo: 'user-1',
      tags: ['New'],
      customFields: [{ id: 'change', value: 'b' }],
      dndSettings: { SMS: { status: 'active' } },
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ succeded: true, contact: { id: contact.id, assignedTo: 'user-1' } });
    expect(h.sim.getContact(contact.id)).toMatchObject({
      tags: ['new'],
      customFields: [{ id: 'keep', value: 1 }, { id: 'change', value: 'b' }],
      dndSettings: { SMS: { status: 'active' } },
    });
  });

  it('read and delete › existing contact › {contact}, then {succeded} and gone with its notes', async () => {
    const { h, s } = await session();
    const contact = h.sim.addContact(s.location.id, { email: 'del@example.com' });
    await s.call('POST', `/contacts/${contact.id}/notes`, { body: 'note' });

    const read = await json(await s.call('GET', `/contacts/${contact.id}`));
    const deleted = await json(await s.call('DELETE', `/contacts/${contact.id}`));
    const after = await s.call('GET', `/contacts/${contact.id}`);

    expect(read).toMatchObject({ contact: { id: contact.id, email: 'del@example.com' } });
    expect(deleted).toEqual({ succeded: true });
    expect(after.status).toBe(400);
    expect(h.sim.getContact(contact.id)).toBeUndefined();
    expect(h.sim.getNotes(contact.id)).toEqual([]);
  });

  it('search › query and eq filters › {contacts, total} with matches only', async () => {
    const { h, s } = await session();
    const dana = h.sim.addContact(s.location.id, { firstName: 'Dana', email: 'Dana@Example.com', phone: '+972541234567' });
    h.sim.addContact(s.location.id, { firstName: 'Avi', email: 'avi@example.com' });

    const byQuery = await json<{ contacts: ContactBody[]; total: number }>(
      await s.call('POST', '/contacts/search', { locationId: s.location.id, query: 'dan', page: 1, pageLimit: 10 }),
    );
    const byEmail = await json<{ contacts: ContactBody[]; total: number }>(
      await s.call('POST', '/contacts/search', {
        locationId: s.location.id,
        filters: [{ field: 'email', operator: 'eq', value: 'dana@example.com' }],
      }),
    );
    const byPhone = await json<{ contacts: ContactBody[]; total: number }>(
      await s.call('POST', '/contacts/search', {
        locationId: s.location.id,
        filters: [{ field: 'phone', operator: 'eq', value: '054-123-4567' }],
      }),
    );

    expect(byQuery).toMatchObject({ total: 1, contacts: [{ id: dana.id }] });
    expect(byEmail).toMatchObject({ total: 1, contacts: [{ id: dana.id }] });
    expect(byPhone).toMatchObject({ total: 1, contacts: [{ id: dana.id }] });
  });

  it('search › OR group over tags and email › either match, sorted newest first', async () => {
    const { h, s } = await session();
    const tagged = h.sim.addContact(s.location.id, { tags: ['vip'], dateAdded: '2026-01-01T00:00:00.000Z' });
    const mailed = h.sim.addContact(s.location.id, { email: 'x@example.com', dateAdded: '2026-01-02T00:00:00.000Z' });
    h.sim.addContact(s.location.id, { email: 'other@example.com', dateAdded: '2026-01-03T00:00:00.000Z' });

    const body = await json<{ contacts: ContactBody[]; total: number }>(
      await s.call('POST', '/contacts/search', {
        locationId: s.location.id,
        filters: [
          {
            group: 'OR',
            filters: [
              { field: 'tags', operator: 'eq', value: 'VIP' },
              { field: 'email', operator: 'eq', value: 'X@example.com' },
            ],
          },
        ],
      }),
    );

    expect(body.total).toBe(2);
    expect(body.contacts.map((c) => c.id)).toEqual([mailed.id, tagged.id]);
  });

  it('search › unknown operator › 422', async () => {
    const { s } = await session();

    const response = await s.call('POST', '/contacts/search', {
      locationId: s.location.id,
      filters: [{ field: 'email', operator: 'like', value: 'x' }],
    });

    expect(response.status).toBe(422);
  });

  it('search › pageLimit 501 › 422', async () => {
    const { s } = await session();

    const response = await s.call('POST', '/contacts/search', { locationId: s.location.id, pageLimit: 501 });

    expect(response.status).toBe(422);
  });

  it('search › paging › pages of pageLimit, total counts all', async () => {
    const { h, s } = await session();
    for (let i = 0; i < 5; i++) h.sim.addContact(s.location.id, { firstName: `P${i}` });

    const page2 = await json<{ contacts: ContactBody[]; total: number }>(
      await s.call('POST', '/contacts/search', { locationId: s.location.id, page: 2, pageLimit: 2 }),
    );

    expect(page2.total).toBe(5);
    expect(page2.contacts).toHaveLength(2);
  });

  it('duplicate search › by email, by URL-encoded E.164 number, no match › {contact} or {contact:null}', async () => {
    const { h, s } = await session();
    const contact = h.sim.addContact(s.location.id, { email: 'dup@example.com', phone: '050-765-4321' });
    const base = `/contacts/search/duplicate?locationId=${s.location.id}`;

    const byEmail = await json(await s.call('GET', `${base}&email=${encodeURIComponent('DUP@example.com')}`));
    const byPhone = await json(await s.call('GET', `${base}&number=${encodeURIComponent('+972507654321')}`));
    const none = await json(await s.call('GET', `${base}&email=nobody%40example.com`));

    expect(byEmail).toMatchObject({ contact: { id: contact.id } });
    expect(byPhone).toMatchObject({ contact: { id: contact.id } });
    expect(none).toEqual({ contact: null });
  });

  it('business › contacts of a business id › {contacts, count}', async () => {
    const { h, s } = await session();
    const member = h.sim.addContact(s.location.id, { businessId: 'biz-1' });
    h.sim.addContact(s.location.id, { businessId: 'biz-2' });

    const body = await json(await s.call('GET', `/contacts/business/biz-1?locationId=${s.location.id}`));

    expect(body).toMatchObject({ count: 1, contacts: [{ id: member.id }] });
  });
});
