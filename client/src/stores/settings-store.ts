import { defineStore } from 'pinia';
import { ref } from 'vue';
import { settingsRoutes } from '../../../shared/contracts/settings-routes';
import type { RuleTestResult } from '../../../shared/contracts/rules';
import type {
  RegisterWebhooksResult,
  Rule,
  ResponderCredentials,
  ResponderTestResult,
  Settings,
  UpdateSettingsInput,
} from '../../../shared/contracts/settings';
import { useApi } from '../api/api-client';
import { toUiError, type UiError } from '../api/ui-error';
import type { LoadStatus } from './contact-store';

/** The location's settings (Responder connection, defaults, dry run, rules); changes are admin-only server-side. */
export const useSettingsStore = defineStore('settings', () => {
  const api = useApi();
  const settings = ref<Settings | null>(null);
  const status = ref<LoadStatus>('idle');
  const error = ref<UiError | null>(null);

  async function load(): Promise<void> {
    status.value = 'loading';
    error.value = null;
    try {
      settings.value = await api.call(settingsRoutes.getSettings, {});
      status.value = 'ready';
    } catch (err) {
      error.value = toUiError(err);
      status.value = 'error';
    }
  }

  /** Saves part of the settings. Rules and dry run change optimistically (switches must feel instant). */
  async function save(input: UpdateSettingsInput, idempotencyKey: string): Promise<Settings> {
    const before = settings.value;
    if (before && (input.rules !== undefined || input.dryRun !== undefined)) {
      settings.value = { ...before, rules: input.rules ?? before.rules, dryRun: input.dryRun ?? before.dryRun };
    }
    try {
      const next = await api.call(settingsRoutes.updateSettings, { body: input, idempotencyKey });
      settings.value = next;
      return next;
    } catch (err) {
      settings.value = before;
      throw err;
    }
  }

  /** Tests credentials (or the stored ones); a refused login comes back as `ok: false`, not as an error. */
  function testConnection(credentials?: ResponderCredentials): Promise<ResponderTestResult> {
    return api.call(settingsRoutes.testResponder, { body: credentials ? { credentials } : {} });
  }

  function registerWebhooks(listIds: number[], idempotencyKey: string): Promise<RegisterWebhooksResult> {
    return api.call(settingsRoutes.registerResponderWebhooks, {
      body: listIds.length > 0 ? { listIds } : {},
      idempotencyKey,
    });
  }

  /** A new webhook key: the old URL stops working, so webhooks must be registered again. */
  async function rotateKey(idempotencyKey: string): Promise<Settings> {
    const next = await api.call(settingsRoutes.rotateResponderKey, { body: {}, idempotencyKey });
    settings.value = next;
    return next;
  }

  /** "Test this rule": the server's dry run on its sample event (Hebrew by default); nothing is written. */
  function testRule(rule: Rule): Promise<RuleTestResult> {
    return api.call(settingsRoutes.testRule, { body: { rule } }) as Promise<RuleTestResult>;
  }

  return { settings, status, error, load, save, testConnection, registerWebhooks, rotateKey, testRule };
});
