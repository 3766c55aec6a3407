import { mount, RouterLinkStub } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import ActivityList from '../../../client/src/components/ActivityList.vue';
import type { ActivityEntry } from '../../../shared/contracts/activity';
import { fail, installFetch, ok, primeSession, settle, testI18n, type RecordedCall } from '../support/panel-test-kit';

function entry(overrides: Partial<ActivityEntry> = {}): ActivityEntry {
  return {
    id: 'e1',
    source: 'responder',
    eventType: 'message.received',
    status: 'done',
    attempts: 1,
    lastError: null,
    contactId: 'c1',
    receivedAt: '2024-05-01T09:30:00.000Z',
    processedAt: '2024-05-01T09:30:02.000Z',
    summary: 'Email from dana@example.com: שלום',
    ...overrides,
  };
}

function mountList(handler: (call: RecordedCall) => Response | Promise<Response>) {
  const pinia = createPinia();
  setActivePinia(pinia);
  primeSession();
  const calls = installFetch(handler);
  const wrapper = mount(ActivityList, {
    global: { plugins: [pinia, testI18n()], stubs: { RouterLink: RouterLinkStub } },
  });
  return { wrapper, calls };
}

describe('ActivityList', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('ActivityList › entries › shows status, source, summary (dir=auto) and replay only for failed/dead', async () => {
    const { wrapper } = mountList(() =>
      ok({
        entries: [
          entry({ id: 'ok' }),
          entry({ id: 'dead', status: 'dead', attempts: 5, lastError: 'GHL 400: invalid phone' }),
          entry({ id: 'failed', status: 'failed', source: 'ghl', eventType: 'ContactUpdate' }),
        ],
        nextCursor: null,
      }),
    );
    await settle();

    const rows = wrapper.findAll('[data-entry-id]');
    expect(rows).toHaveLength(3);
    expect(rows[0]!.text()).toContain('Done');
    expect(rows[0]!.get('.activity__summary').attributes('dir')).toBe('auto');
    expect(rows[0]!.find('button').exists()).toBe(false);
    expect(rows[1]!.text()).toContain('Last error: GHL 400: invalid phone');
    expect(rows[1]!.text()).toContain('5 attempts');
    expect(rows[1]!.get('button').text()).toBe('Replay');
    expect(rows[2]!.text()).toContain('GoHighLevel');
    expect(rows[2]!.get('button').text()).toBe('Replay');
  });

  it('ActivityList › status filter › reloads with status in the query', async () => {
    const { wrapper, calls } = mountList(() => ok({ entries: [], nextCursor: null }));
    await settle();

    await wrapper.get('#activity-status').setValue('dead');
    await settle();

    expect(calls.at(-1)!.url).toBe('/api/activity?status=dead&limit=25');
    expect(wrapper.text()).toContain('No events with this status.');
  });

  it('ActivityList › replay a dead event › POSTs replay once and shows the new status', async () => {
    const { wrapper, calls } = mountList((call) =>
      call.method === 'POST'
        ? ok(entry({ id: 'dead', status: 'pending', attempts: 5 }), 202)
        : ok({ entries: [entry({ id: 'dead', status: 'dead' })], nextCursor: null }),
    );
    await settle();

    await wrapper.get('[data-entry-id="dead"] button').trigger('click');
    await wrapper.get('[data-entry-id="dead"] button').trigger('click');
    await settle();

    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.path).toBe('/api/activity/dead/replay');
    expect(posts[0]!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(wrapper.get('[data-entry-id="dead"]').text()).toContain('Waiting');
    expect(wrapper.find('[data-entry-id="dead"] button').exists()).toBe(false);
  });

  it('ActivityList › replay refused › shows why next to the entry and keeps the button', async () => {
    const { wrapper } = mountList((call) =>
      call.method === 'POST'
        ? fail(409, 'conflict', 'Only failed or dead events can be replayed')
        : ok({ entries: [entry({ id: 'dead', status: 'dead' })], nextCursor: null }),
    );
    await settle();

    await wrapper.get('[data-entry-id="dead"] button').trigger('click');
    await settle();

    expect(wrapper.get('[data-entry-id="dead"] [role="alert"]').text()).toContain(
      'The replay failed: Only failed or dead events can be replayed',
    );
    expect(wrapper.get('[data-entry-id="dead"] button').text()).toBe('Replay');
  });

  it('ActivityList › load fails › error with retry', async () => {
    let n = 0;
    const { wrapper } = mountList(() => {
      n += 1;
      return n === 1 ? fail(500, 'internal_error') : ok({ entries: [entry()], nextCursor: null });
    });
    await settle();
    expect(wrapper.get('[role="alert"]').text()).toContain('The activity could not be loaded');

    await wrapper.get('[role="alert"] button').trigger('click');
    await settle();

    expect(wrapper.findAll('[data-entry-id]')).toHaveLength(1);
  });
});
