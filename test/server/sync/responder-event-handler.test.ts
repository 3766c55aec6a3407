import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { InboxRepository } from '../../../server/db/repositories/inbox-repository';
import type { ResponderEvent } from '../../../server/integrations/responder/responder-event';
import { normalisePhone } from '../../../server/integrations/responder/responder-phone';
import { createSyncHarness, type SyncHarness, type SyncHarnessOptions } from '../../support/sync-harness';
import { testDialects } from '../../support/test-db';

const HEBREW_TEXT = 'שלום\u200F, מה המחיר של "החבילה המורחבת"? תודה 🙏';

let seq = 0;
/** A canonical event as the normaliser stores it; each call gets its own event id. */
function canonical(overrides: {
  event?: ResponderEvent['event'];
  subscriber?: Partial<ResponderEvent['subscriber']>;
  message?: ResponderEvent['message'] | null;
  list?: string;
}): ResponderEvent {
  seq += 1;
  const phone = overrides.subscriber?.phone;
  return {
    schema: 'responder-live.event/v1',
    event: overrides.event ?? 'message.sent',
    event_id: `rl-${Date.now()}-${seq}`,
    occurred_at: '2026-06-10T10:00:00+03:00',
    source: { list_id: '12', list_name: overrides.list ?? 'לקוחות' },
    subscriber: {
      tags: [],
      personal_fields: {},
      ...(phone ? { phone_e164: normalisePhone(phone, 'IL').e164 ?? undefined } : {}),
      ...overrides.subscriber,
    },
    message:
      overrides.message === null
        ? undefined
        : (overrides.message ?? { channel: 'email', direction: 'outbound', subject: 'ניוזלטר', text: 'עדכון חודשי' }),
  };
}

async function enqueue(inbox: InboxRepository, locationId: string, event: ResponderEvent): Promise<string> {
  const { id } = await inbox.insert({
    source: 'responder',
    locationId,
    dedupeKey: `responder:${locationId}:${event.event_id}`,
    eventType: event.event,
    orderingKey: null,
    payload: event,
    rawPayload: null,
    status: 'pending',
  });
  return id;
}

const apiCalls = (h: SyncHarness) => h.sim.requests.filter((r) => !r.path.startsWith('/oauth'));

describe.each(testDialects())('Responder → GHL default rule on %s', (dialect) => {
  let h: SyncHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function setup(options: SyncHarnessOptions = {}) {
    h = await createSyncHarness(dialect, options);
    const locationId = await h.addLocation();
    return { h, locationId };
  }

  it('webhook › Hebrew form-encoded inbound reply › one contact, byte-exact note, tags, task for the owner', async () => {
    // Processed a minute after the reply (Thursday 16:31 in Israel).
    const { h, locationId } = await setup({ handlerDeps: { now: () => Date.parse('2026-06-11T13:31:00Z') } });
    const body = new URLSearchParams({
      'שם פרטי': 'דנה',
      'שם משפחה': 'בן-דוד',
      'אימייל': 'Dana@Example.co.il',
      'טלפון': '054-1234567',
      'שם רשימה': 'מתעניינים',
      'הודעה': HEBREW_TEXT,
      'ערוץ': 'sms',
      'כיוון': 'inbound',
      'תאריך': '2026-06-11 16:30',
    }).toString();

    const res = await request(h.app)
      .post(`/webhooks/responder/key-${locationId}?event=message.replied`)
      .set('Content-Type', 'application/x-www-form-urlencoded; charset=utf-8')
      .send(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, duplicate: false });
    await h.settle();

    const contacts = h.sim.getContacts(locationId);
    expect(contacts).toHaveLength(1);
    const contact = contacts[0]!;
    expect(contact).toMatchObject({ firstName: 'דנה', lastName: 'בן-דוד', email: 'dana@example.co.il', phone: '+972541234567' });
    const notes = h.sim.getNotes(contact.id);
    expect(notes).toHaveLength(1);
    expect(Buffer.from(notes[0]!.body).includes(Buffer.from(HEBREW_TEXT, 'utf8'))).toBe(true);
    expect(notes[0]!.body).toContain('Time: 2026-06-11 16:30 (Asia/Jerusalem, UTC+03:00)');
    expect(notes[0]!.body).toContain(`ref: ${res.body.eventId}`);
    expect(contact.tags.map((t) => t.toLowerCase()).sort()).toEqual(
      ['responder-live', 'responder:message.replied', 'מתעניינים'].sort(),
    );
    const tasks = h.sim.getTasks(contact.id);
    expect(tasks).toHaveLength(1);
    // Thursday 16:30 in Israel → due Sunday 10:00 local (07:00Z in summer).
    expect(new Date(tasks[0]!.dueDate).toISOString()).toMatch(/T07:00:00/);
    expect(new Date(tasks[0]!.dueDate).getUTCDay()).toBe(0);

    const row = await h.inbox.get(res.body.eventId);
    expect(row).toMatchObject({ status: 'done', contact_id: contact.id });
    expect(JSON.parse(row!.result!)).toMatchObject({ created: true, noteId: notes[0]!.id, taskId: tasks[0]!.id });
    const history = await h.messages.page(locationId, contact.id);
    expect(history.messages.map((m) => m.text)).toEqual([HEBREW_TEXT]);
    const state = await h.states.get(locationId, contact.id);
    expect(state?.lastMessageText).toBe(HEBREW_TEXT);
    const writes = await h.ownWrites.recent(locationId, contact.id, 0);
    expect(writes.map((w) => w.kind).sort()).toEqual(['note', 'tags_added', 'task']);
    expect(await h.links.find(locationId, { email: 'dana@example.co.il', phone: '+972541234567' })).toHaveLength(2);
  });

  it('webhook › same event sent 10 times concurrently › exactly one contact, note, task and tag set', async () => {
    const { h, locationId } = await setup();
    const body = new URLSearchParams({ 'אימייל': 'twice@example.com', 'הודעה': 'אני מעוניין', 'ערוץ': 'sms', 'כיוון': 'inbound' }).toString();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        request(h.app)
          .post(`/webhooks/responder/key-${locationId}?event=message.replied`)
          .set('Content-Type', 'application/x-www-form-urlencoded')
          .send(body),
      ),
    );
    expect(answers.every((a) => a.status === 200 && a.body.ok === true)).toBe(true);
    expect(new Set(answers.map((a) => a.body.eventId)).size).toBe(1);
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    await h.settle();

    const contacts = h.sim.getContacts(locationId);
    expect(contacts).toHaveLength(1);
    expect(h.sim.getNotes(contacts[0]!.id)).toHaveLength(1);
    expect(h.sim.getTasks(contacts[0]!.id)).toHaveLength(1);
    expect(apiCalls(h).filter((r) => r.method === 'POST' && r.path.endsWith('/tags'))).toHaveLength(1);
  });

  it('resolver › four spellings of one Israeli mobile › all reach the same contact', async () => {
    const { h, locationId } = await setup();
    for (const phone of ['054-1234567', '0541234567', '+972 54-123-4567', '00972541234567']) {
      await enqueue(h.inbox, locationId, canonical({ subscriber: { phone } }));
      await h.settle();
    }
    const contacts = h.sim.getContacts(locationId);
    expect(contacts).toHaveLength(1);
    expect(contacts[0]!.phone).toBe('+972541234567');
    expect(h.sim.getNotes(contacts[0]!.id)).toHaveLength(4);
  });

  it('resolver › email-only and phone-only events together for a contact GHL has › one contact, both linked', async () => {
    const { h, locationId } = await setup();
    const existing = h.sim.addContact(locationId, { firstName: 'Avi', email: 'avi@example.com', phone: '+972521112233' });
    await enqueue(h.inbox, locationId, canonical({ subscriber: { email: 'avi@example.com' } }));
    await enqueue(h.inbox, locationId, canonical({ subscriber: { phone: '052-1112233' } }));
    await h.settle();

    expect(h.sim.getContacts(locationId).map((c) => c.id)).toEqual([existing.id]);
    expect(h.sim.getNotes(existing.id)).toHaveLength(2);
    const links = await h.links.listForContact(locationId, existing.id);
    expect(links.map((l) => l.keyType).sort()).toEqual(['email', 'phone']);
  });

  it('resolver › 20 events for one new person, half email-only half email+phone, racing › one contact', async () => {
    const { h, locationId } = await setup({ concurrency: 10 });
    for (let i = 0; i < 20; i += 1) {
      const subscriber = i % 2 ? { email: 'race@example.com' } : { email: 'race@example.com', phone: '050-7654321' };
      await enqueue(h.inbox, locationId, canonical({ subscriber }));
    }
    await h.settle();
    const contacts = h.sim.getContacts(locationId);
    expect(contacts).toHaveLength(1);
    expect(h.sim.getNotes(contacts[0]!.id)).toHaveLength(20);
  });

  it('resolver › linked contact deleted in GHL › unlinked and resolved to a new contact', async () => {
    const { h, locationId } = await setup();
    await enqueue(h.inbox, locationId, canonical({ subscriber: { id: '77', email: 'gone@example.com', first: 'רון' } }));
    await h.settle();
    const [first] = h.sim.getContacts(locationId);
    await h.ghl.deleteContact(locationId, first!.id);

    const id = await enqueue(h.inbox, locationId, canonical({ subscriber: { id: '77', email: 'gone@example.com', first: 'רון' } }));
    await h.settle();

    const contacts = h.sim.getContacts(locationId);
    expect(contacts).toHaveLength(1);
    expect(contacts[0]!.id).not.toBe(first!.id);
    expect(contacts[0]!.firstName).toBe('רון');
    expect(h.sim.getNotes(contacts[0]!.id)).toHaveLength(1);
    expect(await h.inbox.get(id)).toMatchObject({ status: 'done', contact_id: contacts[0]!.id });
    expect(await h.links.listForContact(locationId, first!.id)).toEqual([]);
    expect((await h.links.listForContact(locationId, contacts[0]!.id)).map((l) => l.keyType).sort()).toEqual([
      'email',
      'subscriber',
    ]);
  });

  it('note step › crash after GHL wrote the note, before the checkpoint › retry adopts it, one note', async () => {
    let crashes = 0;
    const { h, locationId } = await setup({
      wrapGhl: (ghl) => {
        const createNote = ghl.createNote.bind(ghl);
        ghl.createNote = async (...args) => {
          const note = await createNote(...args);
          if (crashes === 0) {
            crashes += 1;
            throw new Error('process died right after the note was written');
          }
          return note;
        };
        return ghl;
      },
    });
    const id = await enqueue(
      h.inbox,
      locationId,
      canonical({ event: 'message.replied', subscriber: { email: 'crash@example.com' }, message: { channel: 'sms', direction: 'inbound', text: 'היי' } }),
    );
    await h.settle();

    const [contact] = h.sim.getContacts(locationId);
    const notes = h.sim.getNotes(contact!.id);
    expect(crashes).toBe(1);
    expect(notes).toHaveLength(1);
    expect(h.sim.getTasks(contact!.id)).toHaveLength(1);
    const row = await h.inbox.get(id);
    expect(row).toMatchObject({ status: 'done', attempts: 1 });
    expect(JSON.parse(row!.result!).noteId).toBe(notes[0]!.id);
    expect(apiCalls(h).filter((r) => r.method === 'GET' && r.path.endsWith('/notes'))).toHaveLength(1);
  });

  it('note step › process dies after the note, before its result was stored › the next attempt adopts it, one note', async () => {
    const { h, locationId } = await setup();
    const subscriber = { id: '77', email: 'died@example.com' };
    await enqueue(h.inbox, locationId, canonical({ subscriber }));
    await h.settle();
    // The note's result waits for the event's final write; the process dies before making it (or any other).
    let died = false;
    for (const method of ['complete', 'retry', 'markDead'] as const) {
      const real = h.inbox[method].bind(h.inbox) as (...args: unknown[]) => Promise<boolean>;
      (h.inbox[method] as unknown) = async (...args: unknown[]) => {
        if (!died) throw new Error('process died');
        return real(...args);
      };
    }
    h.sim.clearRequests();
    const id = await enqueue(h.inbox, locationId, canonical({ subscriber }));

    await h.worker.drain();
    const stranded = await h.inbox.get(id);
    died = true;
    await h.settle();

    const [contact] = h.sim.getContacts(locationId);
    expect(stranded?.status).toBe('processing');
    // Stored before the note was sent: the marker that makes the next attempt look for it.
    expect(Object.keys(JSON.parse(stranded!.checkpoints) as object).sort()).toEqual([
      'resolve',
      'rule:seed-message-note:0:add_note:begun',
      'rule:seed-responder-contact:0:upsert_contact',
    ]);
    expect(h.sim.getNotes(contact!.id)).toHaveLength(2);
    const row = await h.inbox.get(id);
    expect(row).toMatchObject({ status: 'done', attempts: 1 });
    expect(JSON.parse(row!.result!).noteId).toBe(h.sim.getNotes(contact!.id).at(-1)!.id);
    expect(apiCalls(h).map((r) => `${r.method} ${r.path.replace(/\/contacts\/[^/]+/, '/contacts/:id')}`)).toEqual([
      'POST /contacts/:id/notes',
      'GET /contacts/:id/notes',
    ]);
  });

  it('task step › crash after GHL wrote the task › retry adopts it via the ref line, one task', async () => {
    let crashed = false;
    const { h, locationId } = await setup({
      wrapGhl: (ghl) => {
        const createTask = ghl.createTask.bind(ghl);
        ghl.createTask = async (...args) => {
          const task = await createTask(...args);
          if (!crashed) {
            crashed = true;
            throw new Error('died after task');
          }
          return task;
        };
        return ghl;
      },
    });
    await enqueue(h.inbox, locationId, canonical({ event: 'message.replied', subscriber: { email: 't@example.com' }, message: { channel: 'email', direction: 'inbound', text: 'כן' } }));
    await h.settle();
    const [contact] = h.sim.getContacts(locationId);
    expect(h.sim.getTasks(contact!.id)).toHaveLength(1);
    expect(h.sim.getNotes(contact!.id)).toHaveLength(1);
  });

  it('time zone › several events of a location › its installation zone read once, used in each note', async () => {
    const asked: string[] = [];
    const { h, locationId } = await setup({
      handlerDeps: {
        timezoneOf: async (id) => {
          asked.push(id);
          return 'America/New_York';
        },
      },
    });
    const subscriber = { id: '9', email: 'zone@example.com' };

    for (let i = 0; i < 3; i++) await enqueue(h.inbox, locationId, canonical({ subscriber }));
    await h.settle();

    const [contact] = h.sim.getContacts(locationId);
    expect(asked).toEqual([locationId]);
    expect(h.sim.getNotes(contact!.id).map((n) => /Time: .*\)/.exec(n.body)?.[0])).toEqual(
      Array(3).fill('Time: 2026-06-10 03:00 (America/New_York, UTC-04:00)'),
    );
  });

  it('known contact › nothing changed › at most 2 GHL calls per event (note, plus tags when new)', async () => {
    const { h, locationId } = await setup();
    const subscriber = { id: '5', email: 'known@example.com', phone: '050-2345678', first: 'מיכל', last: 'לוי' };
    await enqueue(h.inbox, locationId, canonical({ subscriber }));
    await h.settle();

    for (const list of ['לקוחות', 'רשימה חדשה']) {
      h.sim.clearRequests();
      await enqueue(h.inbox, locationId, canonical({ subscriber, list }));
      await h.settle();
      const calls = apiCalls(h);
      expect(calls.length).toBeLessThanOrEqual(2);
      expect(calls.map((c) => `${c.method} ${c.path.replace(/\/contacts\/[^/]+/, '/contacts/:id')}`)).toEqual(
        list === 'לקוחות' ? ['POST /contacts/:id/notes'] : ['POST /contacts/:id/notes', 'POST /contacts/:id/tags'],
      );
    }
  });

  it('contact step › phone already on another GHL contact (duplicates off) › phone left alone, note still written', async () => {
    h = await createSyncHarness(dialect);
    const locationId = await h.addLocation(undefined, { allowDuplicateContact: false });
    const byEmail = h.sim.addContact(locationId, { email: 'two@example.com' });
    const byPhone = h.sim.addContact(locationId, { phone: '+972531234567' });
    const id = await enqueue(h.inbox, locationId, canonical({ subscriber: { email: 'two@example.com', phone: '053-1234567', first: 'גיל' } }));
    await h.settle();

    expect(await h.inbox.get(id)).toMatchObject({ status: 'done', contact_id: byEmail.id });
    expect(h.sim.getContact(byEmail.id)).toMatchObject({ firstName: 'גיל' });
    expect(h.sim.getContact(byEmail.id)!.phone).toBeUndefined();
    expect(h.sim.getContact(byPhone.id)!.phone).toBe('+972531234567');
    expect(h.sim.getNotes(byEmail.id)).toHaveLength(1);
  });

  it('subscriber.updated › changed last name only › one PUT with that field, no note, no task', async () => {
    const { h, locationId } = await setup();
    await enqueue(h.inbox, locationId, canonical({ event: 'subscriber.joined', message: null, subscriber: { email: 'u@example.com', first: 'נועה', last: 'כהן' } }));
    await h.settle();
    const [contact] = h.sim.getContacts(locationId);
    h.sim.clearRequests();

    await enqueue(h.inbox, locationId, canonical({ event: 'subscriber.updated', message: null, subscriber: { email: 'u@example.com', first: 'נועה', last: 'לוי' } }));
    await h.settle();

    const puts = apiCalls(h).filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]!.body).toEqual({ lastName: 'לוי' });
    expect(h.sim.getContact(contact!.id)).toMatchObject({ firstName: 'נועה', lastName: 'לוי' });
    expect(h.sim.getNotes(contact!.id)).toHaveLength(0);
    expect(h.sim.getTasks(contact!.id)).toHaveLength(0);
    expect((await h.ownWrites.recent(locationId, contact!.id, 0)).some((w) => w.kind === 'contact')).toBe(true);
  });

  it('subscriber.unsubscribed › SMS channel › dndSettings.SMS active on the contact, no note', async () => {
    const { h, locationId } = await setup();
    await enqueue(h.inbox, locationId, canonical({ subscriber: { phone: '052-9998877' } }));
    await h.settle();
    await enqueue(
      h.inbox,
      locationId,
      canonical({ event: 'subscriber.unsubscribed', subscriber: { phone: '052-9998877' }, message: { channel: 'sms', direction: 'inbound' } }),
    );
    await h.settle();
    const [contact] = h.sim.getContacts(locationId);
    expect(contact!.dndSettings?.SMS).toMatchObject({ status: 'active', code: 'responder_live_unsubscribe' });
    expect(contact!.tags).toContain('responder:subscriber.unsubscribed');
    expect(h.sim.getNotes(contact!.id)).toHaveLength(1);
  });

  it('settings › keyword match and a mapped last-message field › task for the keyword and the field written', async () => {
    const { h, locationId } = await setup();
    await h.settings.save(locationId, { defaults: { followUpKeywords: ['מחיר'], taskDueHour: 9, lastMessageFieldId: 'fld_last' } }, 'u1');
    const owner = h.sim.addUser(locationId, { firstName: 'Owner' });
    const existing = h.sim.addContact(locationId, { email: 'kw@example.com', assignedTo: owner.id });
    await enqueue(h.inbox, locationId, canonical({ event: 'message.clicked', subscriber: { email: 'kw@example.com' }, message: { channel: 'email', direction: 'outbound', text: 'לגבי המחיר' } }));
    await h.settle();

    const tasks = h.sim.getTasks(existing.id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ assignedTo: owner.id, completed: false });
    expect(tasks[0]!.title).toContain('מחיר');
    const fields = h.sim.getContact(existing.id)!.customFields;
    expect(fields.find((f) => f.id === 'fld_last')).toMatchObject({ value: 'לגבי המחיר' });
  });

  it('handler › event without subscriber id, email or phone › dead with the reason, no GHL call', async () => {
    const { h, locationId } = await setup();
    const id = await enqueue(h.inbox, locationId, canonical({ subscriber: { first: 'אנונימי' } }));
    await h.settle();
    const row = await h.inbox.get(id);
    expect(row?.status).toBe('dead');
    expect(row?.last_error).toContain('no_contact_identity');
    expect(apiCalls(h)).toHaveLength(0);
  });

  it('handler › unknown event type in the payload › ignored, no GHL call', async () => {
    const { h, locationId } = await setup();
    const e = { ...canonical({ subscriber: { email: 'x@example.com' } }), event: 'unknown' as const, raw_event: 'mystery' };
    const id = await enqueue(h.inbox, locationId, e);
    await h.settle();
    expect(await h.inbox.get(id)).toMatchObject({ status: 'ignored' });
    expect(apiCalls(h)).toHaveLength(0);
  });
});
