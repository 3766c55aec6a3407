import { defineStore } from 'pinia';
import { ref } from 'vue';
import { panelRoutes } from '../../../shared/contracts/panel-routes';
import type { ContactSummary } from '../../../shared/contracts/contacts';
import { useApi } from '../api/api-client';
import { isAbort, toUiError, type UiError } from '../api/ui-error';
import type { LoadStatus } from './contact-store';

export const SEARCH_DEBOUNCE_MS = 300;

/** Contact search on the home view; typing is debounced and only the latest answer is shown. */
export const useContactSearchStore = defineStore('contactSearch', () => {
  const api = useApi();
  const query = ref('');
  const results = ref<ContactSummary[]>([]);
  const status = ref<LoadStatus>('idle');
  const error = ref<UiError | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let controller: AbortController | null = null;

  async function run(): Promise<void> {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    status.value = 'loading';
    error.value = null;
    try {
      const result = await api.call(panelRoutes.searchContacts, {
        query: { query: query.value.trim(), limit: 20 },
        signal: mine.signal,
      });
      if (controller !== mine) return;
      results.value = result.contacts;
      status.value = 'ready';
    } catch (err) {
      if (isAbort(err) || controller !== mine) return;
      error.value = toUiError(err);
      status.value = 'error';
    }
  }

  /** Sets the text and searches after a short pause in typing. */
  function setQuery(text: string): void {
    query.value = text;
    clearTimeout(timer);
    timer = setTimeout(() => void run(), SEARCH_DEBOUNCE_MS);
  }

  /** Searches now (Enter, retry, first load). */
  function searchNow(): Promise<void> {
    clearTimeout(timer);
    return run();
  }

  return { query, results, status, error, setQuery, searchNow };
});
