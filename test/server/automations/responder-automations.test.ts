import { afterEach, describe, expect, it } from 'vitest';
import { RESPONDER_TRIGGER_EVENTS, type AutomationRuleInput } from '../../../shared/contracts/rules';
import { defaultRules } from '../../../server/automations/default-rules';
import type { ResponderEvent } from '../../../server/integrations/responder/responder-event';
import { createAutomationHarness, type AutomationHarness } from '../../support/automation-harness';
import { testDialects } from '../../support/test-db';

let seq = 0;
function responderEvent(event: ResponderEvent['event'], subscriber: Partial<ResponderEvent['subscriber']>, message?: ResponderEvent['message']): ResponderEvent {
  seq += 1;
  return {
    schema: 'responder-live.event/v1',
    event,
    event_id: `rt-${Date.now()}-${seq}`,
    occurred_at: '2026-06-10T10:00:00+03:00',
    source: { list_id: '12', list_name: 'לקוחות' },
    subscriber: { tags: [], personal_fields: {}, ...subscriber },
    ...(message ? { message } : event.startsWith('message.') ? { message: { channel: 'sms', direction: 'outbound', text: 'שלום' } } : {}),
  };
}

const writes = (h: AutomationHarness) => h.ghlCalls().filter((c) => c.method !== 'GET');

describe.each(testDialects())('Responder Live automations on %s', (dialect) => {
  let h: AutomationHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('every Responder trigger › a rule per event › each event fires only its rule, upsert_contact creates the contact', async () => {
    const x = (h = await createAutomationHarness(dialect, { responderConnected: false }));
    const rules: AutomationRuleInput[] = RESPONDER_TRIGGER_EVENTS.map((event, i) => ({
      id: `t${i}`,
      name: event,
      enabled: true,
      trigger: { source: 'responder', event },
      actions: [{ type: 'upsert_contact' }, { type: 'add_note', body: `${event}: {{subscriber.first}} {{message.text}}` }],
    }));
    await x.setRules(rules);
    for (const [i, event] of RESPONDER_TRIGGER_EVENTS.entries()) {
      await x.responderEvent(responderEvent(event, { email: `p${i}@example.com`, first: `שם${i}` }));
    }
    await x.drain();

    const contacts = x.sim.getContacts(x.locationId);
    expect(contacts).toHaveLength(RESPONDER_TRIGGER_EVENTS.length);
    for (const [i, event] of RESPONDER_TRIGGER_EVENTS.entries()) {
      const contact = contacts.find((c) => c.email === `p${i}@example.com`)!;
      expect(contact.firstName).toBe(`שם${i}`);
      const notes = x.sim.getNotes(contact.id).map((n) => n.body.split('\n')[0]);
      expect(notes).toEqual([`${event}: שם${i} ${event.startsWith('message.') ? 'שלום' : ''}`]);
    }
  });

  it('list_is and keywords › a matching and a non-matching event › tags and a round-robin task only for the match', async () => {
    const x = (h = await createAutomationHarness(dialect, { responderConnected: false }));
    await x.setRules([
      {
        id: 'quote',
        name: 'Quote requests from customers',
        enabled: true,
        trigger: { source: 'responder', event: 'message.*' },
        conditions: {
          mode: 'all',
          items: [
            { type: 'list_is', listName: 'לקוחות' },
            { type: 'text_matches_keywords', keywords: ['הצעת מחיר'] },
          ],
        },
        actions: [
          { type: 'upsert_contact' },
          { type: 'add_tags', tags: ['הצעת-מחיר', 'ערוץ-{{message.channel}}'] },
          { type: 'create_task', title: 'הצעת מחיר ל{{contact.firstName}}', assignee: { type: 'round_robin', userIds: ['s1', 's2'] } },
        ],
      },
    ]);
    await x.responderEvent(responderEvent('message.replied', { email: 'q@example.com', first: 'נועה' }, { channel: 'sms', direction: 'inbound', text: 'שלום, אפשר לקבל הצעת מחיר?' }));
    await x.responderEvent(responderEvent('message.replied', { email: 'n@example.com', first: 'אורי' }, { channel: 'sms', direction: 'inbound', text: 'תודה רבה' }));
    await x.drain();

    const [match] = x.sim.getContacts(x.locationId).filter((c) => c.email === 'q@example.com');
    expect(match!.tags.sort()).toEqual(['הצעת-מחיר', 'ערוץ-sms'].sort());
    expect(x.sim.getTasks(match!.id)).toMatchObject([{ title: 'הצעת מחיר לנועה', assignedTo: 's1' }]);
    // The other event matched no rule: no contact was even created for it.
    expect(x.sim.getContacts(x.locationId).map((c) => c.email)).toEqual(['q@example.com']);
  });

  it('default rules › Hebrew inbound reply › contact, note, follow-up task and tags as the sync engine writes them', async () => {
    const x = (h = await createAutomationHarness(dialect, { responderConnected: false }));
    await x.setRules(defaultRules(), { followUpKeywords: ['מחיר'] });
    const id = await x.responderEvent(
      responderEvent('message.replied', { email: 'dana@example.co.il', first: 'דנה' }, { channel: 'sms', direction: 'inbound', text: 'שלום, אפשר לקבל הצעת מחיר?' }),
    );
    await x.drain();
    const [contact] = x.sim.getContacts(x.locationId);
    expect(x.sim.getNotes(contact!.id)).toHaveLength(1);
    expect(x.sim.getNotes(contact!.id)[0]!.body).toContain('שלום, אפשר לקבל הצעת מחיר?');
    expect(x.sim.getTasks(contact!.id)).toHaveLength(1);
    expect(contact!.tags.sort()).toEqual(['responder-live', 'responder:message.replied', 'לקוחות'].sort());
    const row = await x.inbox.get(id);
    expect(JSON.parse(row!.result!)).toMatchObject({ created: true, followUp: 'inbound_reply' });
  });

  it('dry run › location in dry run › no contact created, the plan lists the upsert, note, task and tags', async () => {
    const x = (h = await createAutomationHarness(dialect, { responderConnected: false }));
    await x.setRules(defaultRules(), { dryRun: true });
    const id = await x.responderEvent(
      responderEvent('message.replied', { email: 'dry@example.co.il', first: 'יובל' }, { channel: 'whatsapp', direction: 'inbound', text: 'מה שלומך?' }),
    );
    await x.drain();
    expect(writes(x)).toEqual([]);
    expect(x.sim.getContacts(x.locationId)).toEqual([]);
    const result = JSON.parse((await x.inbox.get(id))!.result!) as {
      automation: { dryRun: boolean; rules: { steps: { requests: { method: string; path: string }[] }[] }[] };
    };
    expect(result.automation.dryRun).toBe(true);
    const planned = result.automation.rules.flatMap((r) => r.steps).flatMap((s) => s.requests).map((r) => `${r.method} ${r.path}`);
    expect(planned).toEqual([
      'POST /contacts/upsert',
      'POST /contacts/:contactId/notes',
      'POST /contacts/:contactId/tasks',
      'POST /contacts/:contactId/tags',
    ]);
  });
});
