import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TIMELINE_SEARCH_DEBOUNCE_MS, useTimelineStore } from '../../../client/src/stores/timeline-store';
import { message } from '../support/message-factory';
import { deferred, fail, installFetch, ok, primeSession, settle } from '../support/panel-test-kit';

describe('useTimelineStore', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    primeSession();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('timeline › open then scroll to the end › pages by cursor, appends, and reports the end', async () => {
    const first = [message(), message()];
    const second = [message()];
    const calls = installFetch((call) =>
      call.url.includes('cursor=') ? ok({ messages: second, nextCursor: null }) : ok({ messages: first, nextCursor: 'cur-2' }),
    );
    const timeline = useTimelineStore();

    await timeline.open('c1');
    expect(timeline.status).toBe('ready');
    expect(timeline.hasMore).toBe(true);
    await timeline.loadMore();

    expect(timeline.messages.map((m) => m.id)).toEqual([...first, ...second].map((m) => m.id));
    expect(timeline.reachedEnd).toBe(true);
    expect(calls.map((c) => c.url)).toEqual([
      '/api/contacts/c1/messages?limit=30',
      '/api/contacts/c1/messages?cursor=cur-2&limit=30',
    ]);
  });

  it('timeline › loadMore called twice quickly › fetches the next page once', async () => {
    const page2 = deferred<Response>();
    const calls = installFetch((call) =>
      call.url.includes('cursor=') ? page2.promise : ok({ messages: [message()], nextCursor: 'cur-2' }),
    );
    const timeline = useTimelineStore();
    await timeline.open('c1');

    const a = timeline.loadMore();
    const b = timeline.loadMore();
    expect(timeline.loadingMore).toBe(true);
    page2.resolve(ok({ messages: [message()], nextCursor: null }));
    await Promise.all([a, b]);

    expect(calls.filter((c) => c.url.includes('cursor='))).toHaveLength(1);
    expect(timeline.loadingMore).toBe(false);
  });

  it('timeline › typing a search › waits for a pause, then reloads once with q', async () => {
    vi.useFakeTimers();
    const calls = installFetch(() => ok({ messages: [], nextCursor: null }));
    const timeline = useTimelineStore();
    await timeline.open('c1');

    timeline.setQuery('ש');
    timeline.setQuery('שלו');
    timeline.setQuery('שלום');
    await vi.advanceTimersByTimeAsync(TIMELINE_SEARCH_DEBOUNCE_MS - 1);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);

    expect(calls).toHaveLength(2);
    expect(new URL(calls[1]!.url, 'http://x').searchParams.get('q')).toBe('שלום');
    expect(timeline.isFiltered).toBe(true);
    expect(timeline.isEmpty).toBe(true);
  });

  it('timeline › channel filter › reloads from the first page with channel', async () => {
    const calls = installFetch(() => ok({ messages: [message({ channel: 'sms' })], nextCursor: null }));
    const timeline = useTimelineStore();
    await timeline.open('c1');

    await timeline.setChannel('sms');

    expect(calls[1]!.url).toBe('/api/contacts/c1/messages?limit=30&channel=sms');
    expect(timeline.messages).toHaveLength(1);
  });

  it('timeline › an older answer arrives after a newer one › the newer one wins', async () => {
    const slow = deferred<Response>();
    const fresh = [message({ subject: 'fresh' })];
    let n = 0;
    installFetch(() => {
      n += 1;
      return n === 1 ? slow.promise : ok({ messages: fresh, nextCursor: null });
    });
    const timeline = useTimelineStore();

    const firstLoad = timeline.open('c1');
    await settle();
    await timeline.setChannel('email');
    slow.resolve(ok({ messages: [message({ subject: 'stale' })], nextCursor: null }));
    await firstLoad;

    expect(timeline.messages.map((m) => m.subject)).toEqual(['fresh']);
  });

  it('timeline › first page fails then retry › error state, then the list', async () => {
    let n = 0;
    installFetch(() => {
      n += 1;
      return n === 1 ? fail(503, 'service_unavailable', 'down') : ok({ messages: [message()], nextCursor: null });
    });
    const timeline = useTimelineStore();

    await timeline.open('c1');
    expect(timeline.status).toBe('error');
    expect(timeline.error?.code).toBe('service_unavailable');
    await timeline.retry();

    expect(timeline.status).toBe('ready');
    expect(timeline.messages).toHaveLength(1);
  });

  it('timeline › next page fails › keeps the list and retry loads the page', async () => {
    let failPage = true;
    installFetch((call) => {
      if (!call.url.includes('cursor=')) return ok({ messages: [message()], nextCursor: 'c2' });
      return failPage ? fail(500, 'internal_error') : ok({ messages: [message()], nextCursor: null });
    });
    const timeline = useTimelineStore();
    await timeline.open('c1');

    await timeline.loadMore();
    expect(timeline.loadMoreError?.code).toBe('internal_error');
    expect(timeline.messages).toHaveLength(1);
    failPage = false;
    await timeline.retry();

    expect(timeline.loadMoreError).toBeNull();
    expect(timeline.messages).toHaveLength(2);
  });
});
