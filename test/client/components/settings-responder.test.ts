import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import SettingsResponder from '../../../client/src/components/SettingsResponder.vue';
import SettingsRules from '../../../client/src/components/SettingsRules.vue';
import type { Rule, Settings } from '../../../shared/contracts/settings';
import { useSettingsStore } from '../../../client/src/stores/settings-store';
import { fail, installFetch, ok, primeSession, settle, testI18n, type RecordedCall } from '../support/panel-test-kit';

function rule(id: string, name: string, enabled: boolean): Rule {
  return {
    version: 1,
    id,
    name,
    enabled,
    trigger: { source: 'responder', event: 'message.received' },
    conditions: { mode: 'all', items: [] },
    actions: [{ type: 'add_note', body: '{{message.note}}' }],
  };
}

function settings(overrides: Partial<Settings> = {}): Settings {
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
    rules: [
      rule('r1', 'New message → note', true),
      rule('r2', 'Contact updated → task', false),
    ],
    ...overrides,
  };
}

function mountWith(component: typeof SettingsResponder, handler: (call: RecordedCall) => Response = () => ok(settings())) {
  const pinia = createPinia();
  setActivePinia(pinia);
  primeSession();
  const calls = installFetch(handler);
  const store = useSettingsStore();
  store.settings = settings();
  store.status = 'ready';
  const wrapper = mount(component, { global: { plugins: [pinia, testI18n()] } });
  return { wrapper, calls, store };
}

describe('SettingsResponder', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('SettingsResponder › copy › writes the webhook URL to the clipboard and confirms', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const { wrapper } = mountWith(SettingsResponder);

    await wrapper.get('[data-test="copy-webhook"]').trigger('click');
    await settle();

    expect(writeText).toHaveBeenCalledWith('https://app.example.com/webhooks/responder/k3y');
    expect(wrapper.text()).toContain('Copied to the clipboard.');
  });

  it('SettingsResponder › clipboard blocked in the iframe › selects the URL and says to copy by hand', async () => {
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText: vi.fn().mockRejectedValue(new Error('denied')) } });
    const { wrapper } = mountWith(SettingsResponder);
    const input = wrapper.get('#rl-webhook-url').element as HTMLInputElement;
    const select = vi.spyOn(input, 'select');

    await wrapper.get('[data-test="copy-webhook"]').trigger('click');
    await settle();

    expect(select).toHaveBeenCalled();
    expect(wrapper.text()).toContain('Copying failed.');
  });

  it('SettingsResponder › test connection with new credentials › sends them and shows the lists found', async () => {
    const { wrapper, calls } = mountWith(SettingsResponder, () =>
      ok({ ok: true, lists: [{ id: 7, name: 'רשימה חדשה' }] }),
    );

    await wrapper.get('#rl-client-secret').setValue('secret');
    await wrapper.get('#rl-user-token').setValue('token');
    await wrapper.findAll('button').find((b) => b.text() === 'Test connection')!.trigger('click');
    await settle();

    expect(calls[0]).toMatchObject({
      path: '/api/settings/responder/test',
      body: { credentials: { clientId: '238', clientSecret: 'secret', userToken: 'token' } },
    });
    expect(wrapper.text()).toContain('The connection works. Lists found: 1.');
    expect(wrapper.text()).toContain('רשימה חדשה');
  });

  it('SettingsResponder › register webhooks › sends the chosen lists and shows each outcome', async () => {
    const { wrapper, calls } = mountWith(SettingsResponder, () =>
      ok({ results: [{ listId: 1, listName: 'לקוחות', outcome: 'registered' }] }),
    );

    await wrapper.findAll('button').find((b) => b.text() === 'Register webhooks')!.trigger('click');
    await settle();

    expect(calls[0]).toMatchObject({ path: '/api/settings/responder/register-webhooks', body: { listIds: [1] } });
    expect(wrapper.get('.lists__results').text()).toContain('Registered');
  });
});

describe('SettingsRules', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('SettingsRules › toggle a rule › saves the whole list with it switched', async () => {
    const { wrapper, calls } = mountWith(SettingsRules as typeof SettingsResponder, (call) => ok(settings({ rules: (call.body as Settings).rules })));

    await wrapper.get('[data-rule-id="r2"] input[role="switch"]').setValue(true);
    await settle();

    expect(calls[0]).toMatchObject({ method: 'PUT', path: '/api/settings' });
    expect((calls[0]!.body as Settings).rules.map((r) => [r.id, r.enabled])).toEqual([
      ['r1', true],
      ['r2', true],
    ]);
  });

  it('SettingsRules › move down fails › order is restored and the error shown', async () => {
    const { wrapper, store } = mountWith(SettingsRules as typeof SettingsResponder, () => fail(403, 'forbidden'));

    await wrapper.get('button[aria-label="Move “New message → note” down"]').trigger('click');
    await settle();

    expect(store.settings!.rules.map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(wrapper.get('[role="alert"]').text()).toContain('You do not have permission to do this.');
  });
});
