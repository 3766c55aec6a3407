import { afterEach, describe, expect, it } from 'vitest';
import type { AutomationRuleInput } from '../../../shared/contracts/rules';
import { createAutomationHarness, type AutomationHarness } from '../../support/automation-harness';
import { testDialects } from '../../support/test-db';

let seq = 0;
function rule(partial: Partial<AutomationRuleInput> & Pick<AutomationRuleInput, 'trigger' | 'actions'>): AutomationRuleInput {
  seq += 1;
  return { id: `r${seq}`, name: `rule ${seq}`, enabled: true, ...partial };
}

const writes = (h: AutomationHarness) => h.ghlCalls().filter((c) => c.method !== 'GET');
const resultOf = async (h: AutomationHarness, id: string) => {
  const row = await h.inbox.get(id);
  return { row, result: row?.result ? (JSON.parse(row.result) as Record<string, unknown>) : null };
};

describe.each(testDialects())('GHL automations on %s', (dialect) => {
  let h: AutomationHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function setup(options: Parameters<typeof createAutomationHarness>[1] = {}) {
    h = await createAutomationHarness(dialect, options);
    return h;
  }

  /** Runs the inbox, lets burst windows pass, runs it again. */
  async function settle(x: AutomationHarness) {
    await x.drain();
    x.advance(1_000);
    await x.drain();
  }

  it('ContactUpdate › default rules › one task for the owner and a note listing old → new', async () => {
    const x = await setup({ responderConnected: false });
    x.sim.addUser(x.locationId, { id: 'owner-1' });
    const c = await x.addContact({ firstName: 'דנה', lastName: 'כהן', email: 'dana@example.co.il', assignedTo: 'owner-1' }, { known: true });
    const id = await x.ghlWebhook('ContactUpdate', { ...x.sim.getContact(c.id), firstName: 'דנית', city: 'חיפה' });
    await settle(x);

    const tasks = x.sim.getTasks(c.id);
    const notes = x.sim.getNotes(c.id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ assignedTo: 'owner-1', title: 'Contact updated: דנית כהן' });
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain('First name: דנה → דנית');
    expect(notes[0]!.body).toContain('City: (empty) → חיפה');
    expect(writes(x).map((w) => `${w.method} ${w.path}`)).toEqual([
      `POST /contacts/${c.id}/tasks`,
      `POST /contacts/${c.id}/notes`,
    ]);
    const { row, result } = await resultOf(x, id);
    expect(row).toMatchObject({ status: 'done', contact_id: c.id, attempts: 0 });
    expect(result).toMatchObject({ done: 2 });
    expect((await x.states.get(x.locationId, c.id))?.snapshot?.city).toBe('חיפה');
  });

  it('ContactUpdate burst › five webhooks inside the window › one task and one note listing every change', async () => {
    const x = await setup({ burstWindowMs: 300, responderConnected: false });
    const c = await x.addContact({ firstName: 'Ron', lastName: 'Levi', email: 'ron@example.com', phone: '+972541234567', assignedTo: 'u1' }, { known: true });
    const base = x.sim.getContact(c.id)!;
    const steps = [
      { firstName: 'רון' },
      { lastName: 'לוי' },
      { email: 'ron.levi@example.com' },
      { phone: '+972527654321' },
      { city: 'ירושלים', tags: ['vip'] },
    ];
    const ids: string[] = [];
    let state: Record<string, unknown> = { ...base };
    for (const change of steps) {
      state = { ...state, ...change };
      ids.push(await x.ghlWebhook('ContactUpdate', state));
    }
    await x.drain();
    // Inside the window nothing ran: the first event waits, the others queue behind it.
    expect(writes(x)).toEqual([]);
    x.advance(400);
    await x.drain();

    expect(x.sim.getTasks(c.id)).toHaveLength(1);
    const notes = x.sim.getNotes(c.id);
    expect(notes).toHaveLength(1);
    for (const line of ['First name: Ron → רון', 'Last name: Levi → לוי', 'Email: ron@example.com → ron.levi@example.com', 'Phone: +972541234567 → +972527654321', 'City: (empty) → ירושלים', 'Tags added: vip']) {
      expect(notes[0]!.body).toContain(line);
    }
    const [leader, ...followers] = ids;
    expect((await resultOf(x, leader!)).row).toMatchObject({ status: 'done', attempts: 0 });
    for (const f of followers) {
      const { row, result } = await resultOf(x, f);
      expect(row?.status).toBe('done');
      expect(result).toEqual({ collapsedInto: leader });
    }
  });

  it('loop › Responder event writes tags and a note, GHL echoes them › no task, no second note, nothing back to Responder', async () => {
    const x = await setup({ responderConnected: true });
    await x.setRules(
      [
        // The seed rules as a user would have them, plus flow 2 and GHL → Responder.
        ...(await import('../../../server/automations/default-rules')).defaultRules(),
      ],
      {},
    );
    const c = await x.addContact({ firstName: 'מיכל', email: 'michal@example.co.il', assignedTo: 'owner-9' });
    await x.responderEvent({
      schema: 'responder-live.event/v1',
      event: 'message.sent',
      event_id: `loop-${Date.now()}`,
      occurred_at: '2026-06-10T10:00:00+03:00',
      source: { list_id: '7', list_name: 'ניוזלטר' },
      subscriber: { id: '900', email: 'michal@example.co.il', tags: [], personal_fields: {} },
      message: { channel: 'email', direction: 'outbound', subject: 'עדכון', text: 'שלום מיכל' },
    });
    await x.drain();
    const notesAfterSync = x.sim.getNotes(c.id);
    expect(notesAfterSync).toHaveLength(1);
    expect(x.sim.getContact(c.id)!.tags).toContain('responder-live');

    // What GHL sends for those writes: the tag change, a contact update, and the note.
    await x.contactWebhook('ContactTagUpdate', c.id);
    await x.contactWebhook('ContactUpdate', c.id);
    await x.ghlWebhook('NoteCreate', { id: notesAfterSync[0]!.id, contactId: c.id, body: notesAfterSync[0]!.body });
    await settle(x);

    expect(x.sim.getTasks(c.id)).toEqual([]);
    expect(x.sim.getNotes(c.id)).toHaveLength(1);
    expect(x.responderCalls()).toEqual([]);
    const page = await x.inbox.listForActivity({ locationId: x.locationId, limit: 50 });
    expect(page.events.every((e) => e.status === 'done')).toBe(true);
  });

  it('own changes › a rule that opts in › fires on the app’s own tag write', async () => {
    const x = await setup({ responderConnected: false });
    const c = await x.addContact({ firstName: 'Own', tags: [] }, { known: true });
    await x.setRules([
      rule({ id: 'optin', allowOwnChanges: true, trigger: { source: 'ghl', event: 'ContactTagUpdate' }, actions: [{ type: 'add_note', body: 'tags: {{tags.added}}' }] }),
      rule({ id: 'plain', trigger: { source: 'ghl', event: 'ContactTagUpdate' }, actions: [{ type: 'add_note', body: 'should not run' }] }),
    ]);
    await x.ownWrites.record(x.locationId, c.id, 'tags_added', { ref: 'evt_x', tags: ['auto'] });
    await x.ghlWebhook('ContactTagUpdate', { ...x.sim.getContact(c.id), tags: ['auto'] });
    await settle(x);
    const notes = x.sim.getNotes(c.id);
    expect(notes.map((n) => n.body.split('\n')[0])).toEqual(['tags: auto']);
  });

  it('ContactCreate › add_tags with a Hebrew template › POST /tags with the rendered tag', async () => {
    const x = await setup({ responderConnected: false });
    await x.setRules([rule({ trigger: { source: 'ghl', event: 'ContactCreate' }, actions: [{ type: 'add_tags', tags: ['חדש-{{contact.firstName}}', '  '] }] })]);
    const c = await x.addContact({ firstName: 'יעל', email: 'yael@example.com' });
    await x.contactWebhook('ContactCreate', c.id);
    await settle(x);
    expect(writes(x)).toEqual([{ method: 'POST', path: `/contacts/${c.id}/tags`, body: { tags: ['חדש-יעל'] } }]);
  });

  it('ContactTagUpdate › tag_added condition › note only for the matching tag', async () => {
    const x = await setup({ responderConnected: false });
    await x.setRules([
      rule({
        trigger: { source: 'ghl', event: 'ContactTagUpdate' },
        conditions: { mode: 'all', items: [{ type: 'tag_added', tag: 'VIP' }] },
        actions: [{ type: 'add_note', body: 'VIP: {{contact.firstName}} ({{tags.added}})' }],
      }),
    ]);
    const a = await x.addContact({ firstName: 'אבי', tags: ['lead'] }, { known: true });
    const b = await x.addContact({ firstName: 'בני', tags: ['lead'] }, { known: true });
    await x.ghlWebhook('ContactTagUpdate', { ...x.sim.getContact(a.id), tags: ['lead', 'vip'] });
    await x.ghlWebhook('ContactTagUpdate', { ...x.sim.getContact(b.id), tags: ['lead', 'cold'] });
    await settle(x);
    expect(x.sim.getNotes(a.id).map((n) => n.body.split('\n')[0])).toEqual(['VIP: אבי (vip)']);
    expect(x.sim.getNotes(b.id)).toEqual([]);
  });

  it('ContactDndUpdate › upsert_responder_subscriber › DND on marks the subscriber inactive on the lists', async () => {
    const x = await setup();
    await x.setRules([rule({ trigger: { source: 'ghl', event: 'ContactDndUpdate' }, actions: [{ type: 'upsert_responder_subscriber' }] })]);
    const c = await x.addContact({ firstName: 'Dan', email: 'dan@example.com', dnd: false }, { known: true });
    // First a change that subscribes the contact (DND still off), then DND switched on.
    await x.ghlWebhook('ContactDndUpdate', { ...x.sim.getContact(c.id), dnd: false, city: 'x' });
    await settle(x);
    const [subscriber] = x.responderSim.subscribers();
    expect(subscriber).toMatchObject({ email: 'dan@example.com' });
    expect(subscriber!.lists[x.listId]).toMatchObject({ inactive: false });

    await x.ghlWebhook('ContactDndUpdate', { ...x.sim.getContact(c.id), dnd: true, city: 'x' });
    await settle(x);
    expect(x.responderSim.subscribers()[0]!.lists[x.listId]).toMatchObject({ inactive: true });
    expect(x.responderCalls().filter((r) => r.method === 'PUT')).toEqual([
      { method: 'PUT', path: `/v2/lists/${x.listId}/subscribers/${subscriber!.id}`, body: { inactive: true } },
    ]);
    expect(writes(x)).toEqual([]);
  });

  it('ContactDelete › remove_responder_subscriber › subscriber inactive on the list, links and state removed', async () => {
    const x = await setup();
    const c = await x.addContact({ firstName: 'Gone', email: 'gone@example.com' });
    await x.setRules([
      rule({ trigger: { source: 'ghl', event: 'ContactCreate' }, actions: [{ type: 'upsert_responder_subscriber' }] }),
      rule({ trigger: { source: 'ghl', event: 'ContactDelete' }, actions: [{ type: 'remove_responder_subscriber', listId: x.listId }] }),
    ]);
    await x.contactWebhook('ContactCreate', c.id);
    await settle(x);
    const [subscriber] = x.responderSim.subscribers();
    expect((await x.links.listForContact(x.locationId, c.id)).map((l) => l.keyValue)).toEqual([String(subscriber!.id)]);

    await x.contactWebhook('ContactDelete', c.id);
    await settle(x);
    expect(x.responderSim.subscribers()[0]!.lists[x.listId]).toMatchObject({ inactive: true });
    expect(x.responderCalls().at(-1)).toEqual({ method: 'PUT', path: `/v2/lists/${x.listId}/subscribers/${subscriber!.id}`, body: { inactive: true } });
    expect(await x.links.listForContact(x.locationId, c.id)).toEqual([]);
    expect(await x.states.get(x.locationId, c.id)).toBeUndefined();
  });

  it('ContactCreate › upsert_responder_subscriber › Israeli phone as national digits, tags created and mapped', async () => {
    const x = await setup();
    await x.setRules([
      rule({
        trigger: { source: 'ghl', event: 'ContactCreate' },
        actions: [{ type: 'upsert_responder_subscriber', tags: ['מ-GHL'], includeContactTags: true }],
      }),
    ]);
    const c = await x.addContact({ firstName: 'שירה', lastName: 'אור', email: 'shira@example.co.il', phone: '+972541234567', tags: ['לקוח', 'responder-live'] });
    await x.contactWebhook('ContactCreate', c.id);
    await settle(x);
    const tags = x.responderSim.tags();
    expect(tags.map((t) => t.name).sort()).toEqual(['לקוח', 'מ-GHL'].sort());
    const post = x.responderCalls().find((r) => r.method === 'POST' && r.path === '/v2/subscribers');
    expect(post?.body).toMatchObject({
      list_ids: [x.listId],
      email: 'shira@example.co.il',
      phone: '0541234567',
      first: 'שירה',
      last: 'אור',
    });
    const [subscriber] = x.responderSim.subscribers();
    expect(subscriber!.tags.sort()).toEqual(tags.map((t) => t.id).sort());
    expect(subscriber!.phone).toBe('0541234567');
  });

  it('NoteCreate › text_matches_keywords › a task for a fixed user, due at the rule hour', async () => {
    const x = await setup({ responderConnected: false });
    x.sim.addUser(x.locationId, { id: 'sales-1' });
    await x.setRules([
      rule({
        trigger: { source: 'ghl', event: 'NoteCreate' },
        conditions: { mode: 'all', items: [{ type: 'text_matches_keywords', keywords: ['הצעת מחיר'] }] },
        actions: [{ type: 'create_task', title: 'הצעה: {{contact.firstName}}', body: '{{note.body}}', dueInBusinessDays: 2, dueHour: 9, assignee: { type: 'user', userId: 'sales-1' } }],
      }),
    ]);
    const c = await x.addContact({ firstName: 'רותם' }, { known: true });
    await x.ghlWebhook('NoteCreate', { id: 'n1', contactId: c.id, body: 'ביקשה את ההצעת מחיר המעודכנת' });
    await x.ghlWebhook('NoteCreate', { id: 'n2', contactId: c.id, body: 'סתם הערה' });
    await settle(x);
    const tasks = x.sim.getTasks(c.id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ title: 'הצעה: רותם', assignedTo: 'sales-1', completed: false });
    expect(tasks[0]!.body).toContain('ביקשה את ההצעת מחיר המעודכנת');
    // 09:00 in Israel is 06:00Z (summer) or 07:00Z (winter).
    expect(new Date(tasks[0]!.dueDate).getUTCHours()).toBeGreaterThanOrEqual(6);
    expect(new Date(tasks[0]!.dueDate).getUTCHours()).toBeLessThanOrEqual(7);
  });

  it('TaskCreate and TaskComplete › note with the task title, then remove_tags', async () => {
    const x = await setup({ responderConnected: false });
    await x.setRules([
      rule({ trigger: { source: 'ghl', event: 'TaskCreate' }, actions: [{ type: 'add_note', body: 'משימה חדשה: {{task.title}}' }] }),
      rule({ trigger: { source: 'ghl', event: 'TaskComplete' }, actions: [{ type: 'remove_tags', tags: ['pending', 'absent'] }] }),
    ]);
    const c = await x.addContact({ firstName: 'Tal', tags: ['pending', 'lead'] }, { known: true });
    await x.ghlWebhook('TaskCreate', { id: 't1', contactId: c.id, title: 'להתקשר', body: '' });
    await settle(x);
    expect(x.sim.getNotes(c.id)[0]!.body.split('\n')[0]).toBe('משימה חדשה: להתקשר');
    await x.ghlWebhook('TaskComplete', { id: 't1', contactId: c.id, title: 'להתקשר', body: '' });
    await settle(x);
    expect(writes(x).at(-1)).toEqual({ method: 'DELETE', path: `/contacts/${c.id}/tags`, body: { tags: ['pending'] } });
    expect(x.sim.getContact(c.id)!.tags).toEqual(['lead']);
    expect((await x.ownWrites.recent(x.locationId, c.id, 0)).map((w) => w.kind)).toEqual(['note', 'tags_removed']);
  });

  it('ContactUpdate › field_changed › custom field, SMS DND and round-robin tasks across two contacts', async () => {
    const x = await setup({ responderConnected: false });
    await x.setRules([
      rule({
        id: 'rr',
        trigger: { source: 'ghl', event: 'ContactUpdate' },
        conditions: { mode: 'all', items: [{ type: 'field_changed', field: 'contact.email' }] },
        actions: [
          { type: 'update_custom_field', fieldId: 'cf-prev-email', value: 'was {{contact.email}} · {{changedFields}}' },
          { type: 'set_dnd', channel: 'sms', enabled: true },
          { type: 'create_task', title: 'Email changed', assignee: { type: 'round_robin', userIds: ['u-a', 'u-b'] } },
        ],
      }),
    ]);
    const a = await x.addContact({ firstName: 'A', email: 'a@old.com' }, { known: true });
    const b = await x.addContact({ firstName: 'B', email: 'b@old.com' }, { known: true });
    const other = await x.addContact({ firstName: 'C', email: 'c@old.com' }, { known: true });
    await x.ghlWebhook('ContactUpdate', { ...x.sim.getContact(a.id), email: 'a@new.com' });
    await x.ghlWebhook('ContactUpdate', { ...x.sim.getContact(b.id), email: 'b@new.com' });
    await x.ghlWebhook('ContactUpdate', { ...x.sim.getContact(other.id), firstName: 'Cee' });
    await settle(x);

    const assignees = [...x.sim.getTasks(a.id), ...x.sim.getTasks(b.id)].map((t) => t.assignedTo).sort();
    expect(assignees).toEqual(['u-a', 'u-b']);
    expect(x.sim.getTasks(other.id)).toEqual([]);
    const puts = writes(x).filter((w) => w.method === 'PUT' && w.path === `/contacts/${a.id}`);
    expect(puts.map((p) => p.body)).toEqual([
      { customFields: [{ id: 'cf-prev-email', field_value: 'was a@new.com · email' }] },
      { dndSettings: { SMS: { status: 'active', message: expect.stringContaining('Set by automation') as unknown, code: 'automation' } } },
    ]);
    expect(x.sim.getContact(a.id)!.dndSettings?.SMS).toMatchObject({ status: 'active' });
  });

  it('ContactUpdate › complete_task when a tag is added › open matching tasks completed', async () => {
    const x = await setup({ responderConnected: false });
    await x.setRules([
      rule({
        trigger: { source: 'ghl', event: 'ContactUpdate' },
        conditions: { mode: 'any', items: [{ type: 'tag_added', tag: 'closed' }] },
        actions: [{ type: 'complete_task', titleContains: 'follow' }],
      }),
    ]);
    const c = await x.addContact({ firstName: 'Z', tags: [] }, { known: true });
    const t1 = await x.ghl.createTask(x.locationId, c.id, { title: 'Follow up call', dueDate: '2030-01-01T10:00:00Z', completed: false });
    const t2 = await x.ghl.createTask(x.locationId, c.id, { title: 'Send invoice', dueDate: '2030-01-01T10:00:00Z', completed: false });
    x.sim.clearRequests();
    await x.ghlWebhook('ContactUpdate', { ...x.sim.getContact(c.id), tags: ['closed'] });
    await settle(x);
    expect(writes(x)).toEqual([{ method: 'PUT', path: `/contacts/${c.id}/tasks/${t1.id}/completed`, body: { completed: true } }]);
    const tasks = x.sim.getTasks(c.id);
    expect(tasks.find((t) => t.id === t1.id)?.completed).toBe(true);
    expect(tasks.find((t) => t.id === t2.id)?.completed).toBe(false);
  });

  it('dry run › location in dry run › nothing written to either simulator, the plan is the result', async () => {
    const x = await setup();
    const defaults = (await import('../../../server/automations/default-rules')).defaultRules();
    await x.setRules(defaults, { dryRun: true });
    const c = await x.addContact({ firstName: 'דנה', email: 'dana@example.co.il', phone: '+972541234567', assignedTo: 'owner-1' }, { known: true });
    x.sim.clearRequests();
    const id = await x.ghlWebhook('ContactUpdate', { ...x.sim.getContact(c.id), lastName: 'כהן' });
    await settle(x);

    expect(writes(x)).toEqual([]);
    // Reads are allowed (Responder's search is a POST); writes are not.
    expect(x.responderCalls().filter((r) => r.method !== 'GET' && r.path !== '/v2/subscribers/search')).toEqual([]);
    expect(x.sim.getTasks(c.id)).toEqual([]);
    expect(x.sim.getNotes(c.id)).toEqual([]);
    const { row, result } = await resultOf(x, id);
    expect(row?.status).toBe('done');
    expect(result).toMatchObject({ dryRun: true, done: 0 });
    const requests = (result!.rules as { steps: { requests: { method: string; path: string; body: unknown }[] }[] }[])
      .flatMap((r) => r.steps)
      .flatMap((s) => s.requests);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /contacts/${c.id}/tasks`,
      `POST /contacts/${c.id}/notes`,
      'POST /subscribers',
    ]);
    expect(JSON.stringify(requests[1]!.body)).toContain('Last name: (empty) → כהן');
    expect(requests[2]!.body).toMatchObject({ list_ids: [x.listId], phone: '0541234567' });
  });
});
