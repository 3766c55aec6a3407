import { defineStore } from 'pinia';
import { ref } from 'vue';
import { panelRoutes } from '../../../shared/contracts/panel-routes';
import type { LocationUser } from '../../../shared/contracts/users';
import { useApi } from '../api/api-client';
import { toUiError, type UiError } from '../api/ui-error';
import type { LoadStatus } from './contact-store';

/** Location-wide lookups, fetched once per session: users (task assignees) and known tags (suggestions). */
export const useDirectoryStore = defineStore('directory', () => {
  const api = useApi();
  const users = ref<LocationUser[]>([]);
  const usersStatus = ref<LoadStatus>('idle');
  const usersError = ref<UiError | null>(null);
  const locationTags = ref<string[]>([]);
  const tagsStatus = ref<LoadStatus>('idle');

  async function loadUsers(force = false): Promise<void> {
    if (!force && (usersStatus.value === 'ready' || usersStatus.value === 'loading')) return;
    usersStatus.value = 'loading';
    usersError.value = null;
    try {
      users.value = (await api.call(panelRoutes.listUsers, {})).users;
      usersStatus.value = 'ready';
    } catch (err) {
      usersError.value = toUiError(err);
      usersStatus.value = 'error';
    }
  }

  /** Suggestions are a convenience: on failure the tag editor still accepts free text. */
  async function loadTags(): Promise<void> {
    if (tagsStatus.value === 'ready' || tagsStatus.value === 'loading') return;
    tagsStatus.value = 'loading';
    try {
      locationTags.value = (await api.call(panelRoutes.listLocationTags, {})).tags;
      tagsStatus.value = 'ready';
    } catch {
      tagsStatus.value = 'error';
    }
  }

  const userName = (id: string | null | undefined) => (id ? users.value.find((u) => u.id === id)?.name : undefined);

  return { users, usersStatus, usersError, locationTags, tagsStatus, loadUsers, loadTags, userName };
});
