import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import SettingsRules from '../../../client/src/components/SettingsRules.vue';
import type { RuleTestResult } from '../../../shared/contracts/rules';
import type { Rule, Settings } from '../../../shared/contracts/settings';
import { useSettingsStore } from '../../../client/src/stores/settings-store';
import { installFetch, json, ok, primeSession, settle, testI18n, type RecordedCall } from '../support/panel-test-kit';

const HEBREW_NOTE = 'הודעה חדשה מ-{{contact.firstName}}: {{message.text}}';

function noteRule(id: string, name: string): Rule {
  return {
    version: 1,
    id,
    name,
    enabled: true,
    trigger: { source: 'responder', event: 'message.received' },
    conditions: { mode: 'all', items: [] },
    actions: [{ type: 'add_note', body: '{{message.note}}' }],
  };
}

function taskRule(): Rule {
  return {
    version: 1,
    id: 'seed-contact-update',
    name: 'Contact updated → task',
    enabled: false,
    trigger: { source: 'ghl', event: 'ContactUpdate' },
    conditions: { mode: 'all', items: [] },
    actions: [
      { type: 'create_task', title: 'Check {{contact.name}}', dueInBusinessDays: 1, assignee: { type: 'contact_owner' } },
      { type: 'add_note', body: '{{changes}}' },
    ],
  };
}

function settings(rules: Rule[]): Settings {
  return {
    responder: {
      connected: true,
      clientId: '238',
      hasSecret: true,
      webhookUrl: 'https://app.example.com/webhooks/responder/k3y',
      lists: [
        { id: 1, name: 'לקוחות' },
        { id: 2, name: 'Newsletter' },
      ],
      defaultListIds: [1],
    },
    defaults: { country: 'IL', followUpKeywords: [], taskDueHour: 10 },
    dryRun: false,
    rules,
  };
}

const USERS = [
  { id: 'u-1', name: 'Dana Levi', email: 'dana@example.com' },
  { id: 'u-2', name: 'יוסי כהן', email: null },
];

type Handler = (call: RecordedCall) => Response | undefined;

/** Answers users and settings writes (echoing the saved body) unless `handler` answers first. */
function mountRules(opts: { rules?: Rule[]; handler?: Handler; locale?: 'en' | 'he' } = {}) {
  const pinia = createPinia();
  setActivePinia(pinia);
  primeSession();
  const initial = settings(opts.rules ?? [noteRule('r1', 'New message → note'), taskRule()]);
  const calls = installFetch((call) => {
    const answer = opts.handler?.(call);
    if (answer) return answer;
    if (call.path === '/api/users') return ok({ users: USERS });
    if (call.method === 'PUT' && call.path === '/api/settings') {
      return ok({ ...initial, ...(call.body as Partial<Settings>) });
    }
    return json(404, { error: { code: 'not_found', message: 'not found' } });
  });
  const store = useSettingsStore();
  store.settings = initial;
  store.status = 'ready';
  const wrapper = mount(SettingsRules, { global: { plugins: [pinia, testI18n(opts.locale ?? 'en')] }, attachTo: document.body });
  return { wrapper, calls, store };
}

const puts = (calls: RecordedCall[]) => calls.filter((c) => c.method === 'PUT' && c.path === '/api/settings');
const savedRules = (call: RecordedCall | undefined) => (call?.body as { rules: Rule[] }).rules;

describe('SettingsRuleEditor', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('SettingsRuleEditor › edit name, flags and note body › PUTs the whole list with this rule changed, Hebrew byte for byte', async () => {
    const { wrapper, calls } = mountRules();

    await wrapper.get('[data-rule-id="r1"] [data-test="rule-edit"]').trigger('click');
    await wrapper.get('#rule-0-name').setValue('הודעה נכנסת → הערה');
    await wrapper.get('[data-test="rule-dry-run"]').setValue(true);
    await wrapper.get('#rule-0-a0-body').setValue(HEBREW_NOTE);
    await wrapper.get('[data-test="rule-save"]').trigger('submit');
    await settle();

    const [put] = puts(calls);
    expect(put).toBeDefined();
    const rules = savedRules(put);
    expect(rules).toHaveLength(2);
    expect(rules[0]).toEqual({
      ...noteRule('r1', 'הודעה נכנסת → הערה'),
      dryRun: true,
      actions: [{ type: 'add_note', body: HEBREW_NOTE }],
    });
    expect(rules[1]).toEqual(taskRule());
    expect(wrapper.find('#rule-0-name').exists()).toBe(false);
  });

  it('SettingsRuleEditor › placeholder chip › inserts {{name}} at the caret of its field', async () => {
    const { wrapper } = mountRules();
    await wrapper.get('[data-rule-id="r1"] [data-test="rule-edit"]').trigger('click');
    const body = wrapper.get('#rule-0-a0-body');
    await body.setValue('שלום  !');
    (body.element as HTMLTextAreaElement).setSelectionRange(5, 5);

    await wrapper.get('[data-placeholder="contact.firstName"]').trigger('click');
    await settle();

    expect((body.element as HTMLTextAreaElement).value).toBe('שלום {{contact.firstName}} !');
    expect(wrapper.find('[data-placeholder="message.text"]').exists()).toBe(true);
  });

  it('SettingsRuleEditor › trigger switched to GHL ContactUpdate › offers {{changes}} and the GHL events', async () => {
    const { wrapper } = mountRules();
    await wrapper.get('[data-rule-id="r1"] [data-test="rule-edit"]').trigger('click');

    await wrapper.get('#rule-0-source').setValue('ghl');
    await wrapper.get('#rule-0-event').setValue('ContactUpdate');

    expect((wrapper.get('#rule-0-event').element as HTMLSelectElement).value).toBe('ContactUpdate');
    expect(wrapper.find('[data-placeholder="changes"]').exists()).toBe(true);
    expect(wrapper.find('[data-placeholder="message.text"]').exists()).toBe(false);
  });

  it('SettingsRuleEditor › 422 with details › shows each message next to its field and keeps what was typed', async () => {
    const { wrapper, calls, store } = mountRules({
      handler: (call) =>
        call.method === 'PUT'
          ? json(422, {
              error: {
                code: 'validation_failed',
                message: 'rules[1].actions[0].title: unknown placeholder {{contact.nmae}}',
                details: [
                  { path: 'rules[1].actions[0].title', message: 'unknown placeholder {{contact.nmae}}' },
                  { path: 'rules.1.actions.1.body', message: 'Too small' },
                  { path: 'rules[0].name', message: 'belongs to another rule' },
                ],
              },
            })
          : undefined,
    });
    await wrapper.get('[data-rule-id="seed-contact-update"] [data-test="rule-edit"]').trigger('click');
    await wrapper.get('#rule-1-a0-title').setValue('בדיקה של {{contact.nmae}}');

    await wrapper.get('[data-test="rule-save"]').trigger('submit');
    await settle();

    expect(puts(calls)).toHaveLength(1);
    expect(wrapper.get('[data-error-for="rule-1-a0-title"]').text()).toBe('unknown placeholder {{contact.nmae}}');
    expect(wrapper.get('[data-error-for="rule-1-a1-body"]').text()).toBe('Too small');
    expect(wrapper.get('#rule-1-a0-title').attributes('aria-invalid')).toBe('true');
    expect(wrapper.text()).not.toContain('belongs to another rule');
    expect((wrapper.get('#rule-1-a0-title').element as HTMLInputElement).value).toBe('בדיקה של {{contact.nmae}}');
    expect(wrapper.get('[data-test="rule-save-failed"]').text()).toContain('Nothing you typed was lost');
    expect(store.settings?.rules[1]).toEqual(taskRule());
  });

  it('SettingsRuleEditor › actions added, moved and removed › saved in the new order with their fields', async () => {
    const { wrapper, calls } = mountRules();
    await wrapper.get('[data-rule-id="seed-contact-update"] [data-test="rule-edit"]').trigger('click');

    await wrapper.get('#rule-1-new-action').setValue('add_tags');
    await wrapper.get('[data-test="add-action"]').trigger('click');
    await wrapper.get('#rule-1-a2-tags').setValue('לקוח חם\n\nvip ');
    await wrapper.get('[aria-label="Move action 3 up"]').trigger('click');
    await wrapper.get('[aria-label="Remove action 3"]').trigger('click');
    await wrapper.get('#rule-1-a0-assignee').setValue('round_robin');
    await settle();
    await wrapper.get('[data-user="u-2"]').setValue(true);
    await wrapper.get('#rule-1-a0-hour').setValue('9');
    await wrapper.get('[data-test="rule-save"]').trigger('submit');
    await settle();

    const rule = savedRules(puts(calls)[0])[1]!;
    expect(rule.actions).toEqual([
      {
        type: 'create_task',
        title: 'Check {{contact.name}}',
        dueInBusinessDays: 1,
        dueHour: 9,
        assignee: { type: 'round_robin', userIds: ['u-2'] },
      },
      { type: 'add_tags', tags: ['לקוח חם', 'vip'] },
    ]);
  });

  it('SettingsRuleEditor › condition added › saved with mode and fields', async () => {
    const { wrapper, calls } = mountRules();
    await wrapper.get('[data-rule-id="r1"] [data-test="rule-edit"]').trigger('click');

    await wrapper.get('#rule-0-mode').setValue('any');
    await wrapper.get('[data-test="add-condition"]').trigger('click');
    await wrapper.get('#rule-0-c0-field').setValue('message.text');
    await wrapper.get('#rule-0-c0-value').setValue('מחיר');
    await wrapper.get('[data-test="add-condition"]').trigger('click');
    await wrapper.get('#rule-0-c1-type').setValue('list_is');
    await wrapper.get('#rule-0-c1-listId').setValue('1');
    await wrapper.get('[data-test="rule-save"]').trigger('submit');
    await settle();

    expect(savedRules(puts(calls)[0])[0]!.conditions).toEqual({
      mode: 'any',
      items: [
        { type: 'field_equals', field: 'message.text', value: 'מחיר' },
        { type: 'list_is', listId: 1 },
      ],
    });
  });

  it('SettingsRules › add rule › starts from a blank note rule and appends it', async () => {
    const { wrapper, calls } = mountRules();

    await wrapper.get('[data-test="rule-add"]').trigger('click');
    await wrapper.get('#rule-2-name').setValue('תגית לכל מי שהגיב');
    await wrapper.get('#rule-2-a0-body').setValue('{{message.text}}');
    await wrapper.get('[data-test="rule-save"]').trigger('submit');
    await settle();

    const rules = savedRules(puts(calls)[0]);
    expect(rules).toHaveLength(3);
    expect(rules[2]).toMatchObject({
      name: 'תגית לכל מי שהגיב',
      enabled: true,
      dryRun: true,
      trigger: { source: 'responder', event: 'message.received' },
      actions: [{ type: 'add_note', body: '{{message.text}}' }],
    });
    expect(rules[2]!.id).toMatch(/^rule-/);
  });

  it('SettingsRules › cancel a new rule › nothing is sent', async () => {
    const { wrapper, calls } = mountRules();

    await wrapper.get('[data-test="rule-add"]').trigger('click');
    await wrapper.get('[data-test="rule-cancel"]').trigger('click');

    expect(puts(calls)).toHaveLength(0);
    expect(wrapper.find('#rule-2-name').exists()).toBe(false);
  });

  it('SettingsRules › duplicate › inserts a switched-off copy with a new id right after the original', async () => {
    const { wrapper, calls } = mountRules();

    await wrapper.get('[data-rule-id="r1"] [data-test="rule-duplicate"]').trigger('click');
    await settle();

    const rules = savedRules(puts(calls)[0]);
    expect(rules.map((r) => r.name)).toEqual(['New message → note', 'New message → note (copy)', 'Contact updated → task']);
    expect(rules[1]).toMatchObject({ enabled: false, actions: rules[0]!.actions });
    expect(rules[1]!.id).not.toBe('r1');
  });

  it('SettingsRules › delete › asks first, then saves the list without the rule', async () => {
    const { wrapper, calls } = mountRules();

    await wrapper.get('[data-rule-id="r1"] [data-test="rule-delete"]').trigger('click');
    expect(wrapper.text()).toContain('Delete “New message → note”? This cannot be undone.');
    expect(puts(calls)).toHaveLength(0);
    await wrapper.get('[data-test="rule-delete-confirm"]').trigger('click');
    await settle();

    expect(savedRules(puts(calls)[0]).map((r) => r.id)).toEqual(['seed-contact-update']);
  });

  it('SettingsRules › delete cancelled › nothing is sent', async () => {
    const { wrapper, calls } = mountRules();

    await wrapper.get('[data-rule-id="r1"] [data-test="rule-delete"]').trigger('click');
    await wrapper.get('[data-test="rule-delete-cancel"]').trigger('click');

    expect(puts(calls)).toHaveLength(0);
    expect(wrapper.find('[data-test="rule-delete-confirm"]').exists()).toBe(false);
  });

  it('SettingsRules › move down › saves the list in the new order', async () => {
    const { wrapper, calls } = mountRules();

    await wrapper.get('[aria-label="Move “New message → note” down"]').trigger('click');
    await settle();

    expect(savedRules(puts(calls)[0]).map((r) => r.id)).toEqual(['seed-contact-update', 'r1']);
  });

  it('SettingsRuleEditor › test this rule › posts the draft and lists the planned requests', async () => {
    const plan: RuleTestResult = {
      ruleId: 'r1',
      matched: true,
      steps: [{ action: 0, type: 'add_note', status: 'planned', requests: [] }],
      requests: [{ service: 'ghl', method: 'POST', path: '/contacts/sample-contact/notes', body: { body: 'הודעה חדשה מ-דנה: שלום, מה המחיר?' } }],
      sample: { message: { text: 'שלום, מה המחיר?' } },
    };
    const { wrapper, calls } = mountRules({
      handler: (call) => (call.path === '/api/settings/rules/test' ? ok(plan) : undefined),
    });
    await wrapper.get('[data-rule-id="r1"] [data-test="rule-edit"]').trigger('click');
    await wrapper.get('#rule-0-a0-body').setValue(HEBREW_NOTE);

    await wrapper.get('[data-test="rule-test"]').trigger('click');
    await settle();

    const post = calls.find((c) => c.path === '/api/settings/rules/test');
    expect(post?.method).toBe('POST');
    expect((post?.body as { rule: Rule }).rule.actions).toEqual([{ type: 'add_note', body: HEBREW_NOTE }]);
    const request = wrapper.get('[data-test="planned-request"]');
    expect(request.text()).toContain('POST /contacts/sample-contact/notes');
    expect(request.text()).toContain('הודעה חדשה מ-דנה: שלום, מה המחיר?');
    expect(wrapper.get('[data-test="rule-plan"]').text()).toContain('Action 1: planned');
    expect(puts(calls)).toHaveLength(0);
  });

  it('SettingsRuleEditor › test refused with 422 › marks the field (rule.* paths)', async () => {
    const { wrapper } = mountRules({
      handler: (call) =>
        call.path === '/api/settings/rules/test'
          ? json(422, {
              error: {
                code: 'validation_failed',
                message: 'rule.actions[0].body: unknown placeholder {{foo}}',
                details: [{ path: 'rule.actions[0].body', message: 'unknown placeholder {{foo}}' }],
              },
            })
          : undefined,
    });
    await wrapper.get('[data-rule-id="r1"] [data-test="rule-edit"]').trigger('click');

    await wrapper.get('[data-test="rule-test"]').trigger('click');
    await settle();

    expect(wrapper.get('[data-error-for="rule-0-a0-body"]').text()).toBe('unknown placeholder {{foo}}');
    expect(wrapper.find('[data-test="rule-test-failed"]').exists()).toBe(true);
  });

  it('SettingsRuleEditor › Hebrew › texts in Hebrew, placeholders and rule names unchanged', async () => {
    const { wrapper } = mountRules({ rules: [noteRule('r1', 'הערה לכל הודעה')], locale: 'he' });

    expect(wrapper.get('[data-test="rule-add"]').text()).toBe('הוספת כלל');
    await wrapper.get('[data-test="rule-edit"]').trigger('click');

    expect(wrapper.text()).toContain('עריכת כלל');
    expect(wrapper.text()).toContain('בדיקת הכלל');
    expect((wrapper.get('#rule-0-name').element as HTMLInputElement).value).toBe('הערה לכל הודעה');
    expect(wrapper.get('[data-placeholder="contact.firstName"]').text()).toBe('{{contact.firstName}}');
    expect(wrapper.get('label[for="rule-0-a0-body"]').text()).toBe('תוכן ההערה');
  });
});
