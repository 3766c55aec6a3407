import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { panelRoutes } from '../../../shared/contracts/panel-routes';
import type { Message, MessageChannel } from '../../../shared/contracts/messages';
import { useApi } from '../api/api-client';
import { isAbort, toUiError, type UiError } from '../api/ui-error';
import type { LoadStatus } from './contact-store';

export const TIMELINE_PAGE_SIZE = 30;
export const TIMELINE_SEARCH_DEBOUNCE_MS = 300;

/**
 * A contact's Responder Live history: keyset pages newest first, appended as the user scrolls; search text
 * (debounced) and channel filter restart from the first page. A newer request always wins over an older one.
 */
export const useTimelineStore = defineStore('timeline', () => {
  const api = useApi();
  const contactId = ref<string | null>(null);
  const messages = ref<Message[]>([]);
  const nextCursor = ref<string | null>(null);
  const status = ref<LoadStatus>('idle');
  const error = ref<UiError | null>(null);
  const loadingMore = ref(false);
  const loadMoreError = ref<UiError | null>(null);
  const q = ref('');
  const channel = ref<MessageChannel | null>(null);

  const isFiltered = computed(() => q.value.trim() !== '' || channel.value !== null);
  const isEmpty = computed(() => status.value === 'ready' && messages.value.length === 0);
  const reachedEnd = computed(() => status.value === 'ready' && messages.value.length > 0 && nextCursor.value === null);
  const hasMore = computed(() => status.value === 'ready' && nextCursor.value !== null);

  let controller: AbortController | null = null;
  let debounce: ReturnType<typeof setTimeout> | undefined;

  function fetchPage(cursor: string | undefined, signal: AbortSignal) {
    const id = contactId.value;
    if (!id) throw new Error('No contact is open');
    return api.call(panelRoutes.listMessages, {
      params: { contactId: id },
      query: {
        cursor,
        limit: TIMELINE_PAGE_SIZE,
        q: q.value.trim() || undefined,
        channel: channel.value ?? undefined,
      },
      signal,
    });
  }

  /** Loads the first page, replacing whatever was shown. */
  async function reload(): Promise<void> {
    clearTimeout(debounce);
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    status.value = 'loading';
    error.value = null;
    loadingMore.value = false;
    loadMoreError.value = null;
    messages.value = [];
    nextCursor.value = null;
    try {
      const page = await fetchPage(undefined, mine.signal);
      if (controller !== mine) return;
      messages.value = page.messages;
      nextCursor.value = page.nextCursor;
      status.value = 'ready';
    } catch (err) {
      if (isAbort(err) || controller !== mine) return;
      error.value = toUiError(err);
      status.value = 'error';
    }
  }

  /** Appends the next page; no-op while loading, at the end, or before the first page. */
  async function loadMore(): Promise<void> {
    if (!hasMore.value || loadingMore.value) return;
    const mine = controller ?? new AbortController();
    loadingMore.value = true;
    loadMoreError.value = null;
    try {
      const page = await fetchPage(nextCursor.value ?? undefined, mine.signal);
      if (controller !== mine) return;
      const seen = new Set(messages.value.map((m) => m.id));
      messages.value = [...messages.value, ...page.messages.filter((m) => !seen.has(m.id))];
      nextCursor.value = page.nextCursor;
    } catch (err) {
      if (isAbort(err) || controller !== mine) return;
      loadMoreError.value = toUiError(err);
    } finally {
      if (controller === mine) loadingMore.value = false;
    }
  }

  /** Opens a contact's timeline (keeps filters only when it is the same contact). */
  function open(id: string): Promise<void> {
    if (contactId.value !== id) {
      contactId.value = id;
      q.value = '';
      channel.value = null;
    }
    return reload();
  }

  /** Search text; the reload waits for a pause in typing. */
  function setQuery(text: string): void {
    q.value = text;
    clearTimeout(debounce);
    debounce = setTimeout(() => void reload(), TIMELINE_SEARCH_DEBOUNCE_MS);
  }

  function setChannel(value: MessageChannel | null): Promise<void> {
    channel.value = value;
    return reload();
  }

  function clearFilters(): Promise<void> {
    q.value = '';
    channel.value = null;
    return reload();
  }

  /** Retries what failed: the first page, or the page after the last one shown. */
  function retry(): Promise<void> {
    return status.value === 'error' ? reload() : loadMore();
  }

  return {
    contactId,
    messages,
    nextCursor,
    status,
    error,
    loadingMore,
    loadMoreError,
    q,
    channel,
    isFiltered,
    isEmpty,
    reachedEnd,
    hasMore,
    open,
    reload,
    loadMore,
    setQuery,
    setChannel,
    clearFilters,
    retry,
  };
});
