import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ActivityEntry, ActivityStatus } from '../../../shared/contracts/activity';
import { panelRoutes } from '../../../shared/contracts/panel-routes';
import { useApi } from '../api/api-client';
import { isAbort, toUiError, type UiError } from '../api/ui-error';
import type { LoadStatus } from './contact-store';

export const ACTIVITY_PAGE_SIZE = 25;

/** The location's sync log: status filter, keyset paging, replay of failed or dead events. */
export const useActivityStore = defineStore('activity', () => {
  const api = useApi();
  const entries = ref<ActivityEntry[]>([]);
  const nextCursor = ref<string | null>(null);
  const statusFilter = ref<ActivityStatus | null>(null);
  const contactFilter = ref<string | null>(null);
  const status = ref<LoadStatus>('idle');
  const error = ref<UiError | null>(null);
  const loadingMore = ref(false);
  const loadMoreError = ref<UiError | null>(null);
  /** Entry ids with a replay in flight. */
  const replaying = ref<string[]>([]);
  const replayErrors = ref<Record<string, UiError>>({});
  let controller: AbortController | null = null;

  function query(cursor?: string, limit = ACTIVITY_PAGE_SIZE) {
    return {
      status: statusFilter.value ?? undefined,
      contactId: contactFilter.value ?? undefined,
      cursor,
      limit,
    };
  }

  /** Loads the first page with the current filters. */
  async function load(limit = ACTIVITY_PAGE_SIZE): Promise<void> {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    status.value = 'loading';
    error.value = null;
    loadMoreError.value = null;
    try {
      const page = await api.call(panelRoutes.listActivity, { query: query(undefined, limit), signal: mine.signal });
      if (controller !== mine) return;
      entries.value = page.entries;
      nextCursor.value = page.nextCursor;
      status.value = 'ready';
    } catch (err) {
      if (isAbort(err) || controller !== mine) return;
      error.value = toUiError(err);
      status.value = 'error';
    }
  }

  async function loadMore(): Promise<void> {
    if (status.value !== 'ready' || !nextCursor.value || loadingMore.value) return;
    const mine = controller;
    loadingMore.value = true;
    loadMoreError.value = null;
    try {
      const page = await api.call(panelRoutes.listActivity, { query: query(nextCursor.value) });
      if (controller !== mine) return;
      const seen = new Set(entries.value.map((e) => e.id));
      entries.value = [...entries.value, ...page.entries.filter((e) => !seen.has(e.id))];
      nextCursor.value = page.nextCursor;
    } catch (err) {
      loadMoreError.value = toUiError(err);
    } finally {
      loadingMore.value = false;
    }
  }

  function setStatusFilter(value: ActivityStatus | null): Promise<void> {
    statusFilter.value = value;
    return load();
  }

  /** Puts a failed or dead event back in the queue; the entry shows its new status from the server. */
  async function replay(id: string, idempotencyKey: string): Promise<void> {
    if (replaying.value.includes(id)) return;
    replaying.value = [...replaying.value, id];
    const { [id]: _previous, ...rest } = replayErrors.value;
    replayErrors.value = rest;
    try {
      const entry = await api.call(panelRoutes.replayActivity, { params: { id }, idempotencyKey });
      entries.value = entries.value.map((e) => (e.id === id ? entry : e));
    } catch (err) {
      replayErrors.value = { ...replayErrors.value, [id]: toUiError(err) };
    } finally {
      replaying.value = replaying.value.filter((r) => r !== id);
    }
  }

  return {
    entries,
    nextCursor,
    statusFilter,
    contactFilter,
    status,
    error,
    loadingMore,
    loadMoreError,
    replaying,
    replayErrors,
    load,
    loadMore,
    setStatusFilter,
    replay,
  };
});
