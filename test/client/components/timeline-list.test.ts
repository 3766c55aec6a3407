import { createTestingPinia } from '@pinia/testing';
import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import TimelineFilters from '../../../client/src/components/TimelineFilters.vue';
import TimelineList from '../../../client/src/components/TimelineList.vue';
import { useTimelineStore } from '../../../client/src/stores/timeline-store';
import { message } from '../support/message-factory';
import { testI18n } from '../support/panel-test-kit';

type TimelineState = Partial<{
  contactId: string;
  messages: ReturnType<typeof message>[];
  nextCursor: string | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: { code: string; message: string } | null;
  loadingMore: boolean;
  loadMoreError: { code: string; message: string } | null;
  q: string;
  channel: 'email' | 'sms' | 'whatsapp' | null;
}>;

function mountList(timeline: TimelineState) {
  const pinia = createTestingPinia({
    createSpy: vi.fn,
    initialState: {
      timeline: { contactId: 'c1', messages: [], nextCursor: null, status: 'ready', q: '', channel: null, ...timeline },
      session: { location: { id: 'l1', name: 'L', timezone: 'Asia/Jerusalem', status: 'active' } },
    },
  });
  const wrapper = mount(TimelineList, { global: { plugins: [pinia, testI18n()] } });
  return { wrapper, store: useTimelineStore(pinia) };
}

describe('TimelineList', () => {
  it('TimelineList › loading › shows a live status with the loading copy', () => {
    const { wrapper } = mountList({ status: 'loading' });

    const status = wrapper.get('[role="status"]');
    expect(status.text()).toContain('Loading messages');
    expect(status.attributes('aria-live')).toBe('polite');
    expect(wrapper.find('section').attributes('aria-busy')).toBe('true');
  });

  it('TimelineList › no messages at all › explains that Responder messages will appear here', () => {
    const { wrapper } = mountList({ messages: [] });

    expect(wrapper.text()).toContain('No Responder Live messages yet');
    expect(wrapper.text()).not.toContain('Clear filters');
  });

  it('TimelineList › error › shows the translated error and retry calls the store', async () => {
    const { wrapper, store } = mountList({ status: 'error', error: { code: 'network_error', message: 'x' } });

    expect(wrapper.get('[role="alert"]').text()).toContain('The server could not be reached');
    await wrapper.get('button').trigger('click');

    expect(store.retry).toHaveBeenCalledTimes(1);
  });

  it('TimelineList › messages › renders one item per message, newest first as given', () => {
    const items = [message({ subject: 'newest' }), message({ subject: 'older' })];
    const { wrapper } = mountList({ messages: items, nextCursor: 'next' });

    const rendered = wrapper.findAll('[data-message-id]');
    expect(rendered.map((r) => r.attributes('data-message-id'))).toEqual(items.map((m) => m.id));
    expect(wrapper.text()).toContain('newest');
    expect(wrapper.get('button').text()).toBe('Load older messages');
  });

  it('TimelineList › load older clicked › asks the store for the next page', async () => {
    const { wrapper, store } = mountList({ messages: [message()], nextCursor: 'next' });

    await wrapper.get('button').trigger('click');

    expect(store.loadMore).toHaveBeenCalledTimes(1);
  });

  it('TimelineList › loading more › keeps the list and shows the loading-more status', () => {
    const { wrapper } = mountList({ messages: [message()], nextCursor: 'next', loadingMore: true });

    expect(wrapper.findAll('[data-message-id]')).toHaveLength(1);
    expect(wrapper.get('[role="status"]').text()).toContain('Loading older messages');
    expect(wrapper.find('button').exists()).toBe(false);
  });

  it('TimelineList › next page failed › shows an inline error with retry', async () => {
    const { wrapper, store } = mountList({
      messages: [message()],
      nextCursor: 'next',
      loadMoreError: { code: 'internal_error', message: 'x' },
    });

    expect(wrapper.get('[role="alert"]').text()).toContain('Older messages could not be loaded');
    await wrapper.get('[role="alert"] button').trigger('click');
    expect(store.retry).toHaveBeenCalledTimes(1);
  });

  it('TimelineList › last page shown › says this is the start of the history', () => {
    const { wrapper } = mountList({ messages: [message()], nextCursor: null });

    expect(wrapper.text()).toContain('This is the start of the history.');
    expect(wrapper.find('button').exists()).toBe(false);
  });

  it('TimelineList › search with no results › says nothing matches and offers to clear filters', async () => {
    const { wrapper, store } = mountList({ messages: [], q: 'לא קיים' });

    expect(wrapper.text()).toContain('No messages match');
    await wrapper.get('button').trigger('click');

    expect(store.clearFilters).toHaveBeenCalledTimes(1);
  });

  it('TimelineList › channel filter with no results › same no-match state', () => {
    const { wrapper } = mountList({ messages: [], channel: 'whatsapp' });

    expect(wrapper.text()).toContain('No messages match');
  });

  it('TimelineList › Hebrew UI › state copy is in Hebrew', () => {
    const pinia = createTestingPinia({
      createSpy: vi.fn,
      initialState: { timeline: { status: 'ready', messages: [], nextCursor: null, q: '', channel: null } },
    });
    const wrapper = mount(TimelineList, { global: { plugins: [pinia, testI18n('he')] } });

    expect(wrapper.text()).toContain('עדיין אין הודעות מ-Responder Live');
  });
});

describe('TimelineFilters', () => {
  it('TimelineFilters › channel chosen › calls setChannel with it; All clears it', async () => {
    const pinia = createTestingPinia({ createSpy: vi.fn, initialState: { timeline: { q: '', channel: null } } });
    const wrapper = mount(TimelineFilters, { global: { plugins: [pinia, testI18n()] } });
    const store = useTimelineStore(pinia);

    await wrapper.get('select').setValue('sms');
    await wrapper.get('select').setValue('');

    expect(store.setChannel).toHaveBeenNthCalledWith(1, 'sms');
    expect(store.setChannel).toHaveBeenNthCalledWith(2, null);
  });

  it('TimelineFilters › typing › passes the text (Hebrew intact) to setQuery; Enter reloads now', async () => {
    const pinia = createTestingPinia({ createSpy: vi.fn, initialState: { timeline: { q: '', channel: null } } });
    const wrapper = mount(TimelineFilters, { global: { plugins: [pinia, testI18n()] } });
    const store = useTimelineStore(pinia);

    await wrapper.get('input[type="search"]').setValue('שלום עולם');
    await wrapper.get('form').trigger('submit');

    expect(store.setQuery).toHaveBeenCalledWith('שלום עולם');
    expect(store.reload).toHaveBeenCalledTimes(1);
    expect(wrapper.get('input[type="search"]').attributes('dir')).toBe('auto');
  });
});
