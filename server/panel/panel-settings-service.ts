import { IANAZone } from 'luxon';
import { AppError, UpstreamError } from '../errors';
import type { Logger } from '../logger';
import type { LocationSettingsRepository } from '../db/repositories/location-settings-repository';
import type { ResponderConnectionRepository } from '../db/repositories/responder-connection-repository';
import type { ResponderListChoiceRepository } from '../db/repositories/responder-list-choice-repository';
import {
  ResponderClient,
  type ResponderCredentials,
  type ResponderTokenCache,
} from '../integrations/responder/responder-client';
import { registerWebhooks } from '../integrations/responder/responder-webhook-registration';
import type { LocationSettings } from '../sync/sync-settings';
import type { RuleTestInput } from '../../shared/contracts/rules';
import type { TestRuleResult } from '../automations/dry-run';
import { RuleTestService } from '../automations/rule-test-service';
import { validateRules } from '../automations/rule-validation';
import type { FieldIssue } from '../http/validate-input';
import type {
  RegisterWebhooksResult,
  ResponderList,
  ResponderTestResult,
  Settings,
  UpdateSettingsInput,
  WebhookRegistration,
} from '../../shared/contracts/settings';

/** Builds a Responder Live client for one set of credentials (tests point it at the simulator). */
export type ResponderClientFactory = (
  credentials: ResponderCredentials,
  tokenCache?: ResponderTokenCache,
) => Pick<ResponderClient, 'getToken' | 'listLists' | 'listWebhooks' | 'createWebhook'>;

/** The name our webhooks carry in Responder's list settings, so a user can tell them apart. */
export const RESPONDER_WEBHOOK_NAME = 'GoHighLevel (Responder Live ⇄ GHL)';

const invalid = (issues: FieldIssue[]) =>
  new AppError(422, 'validation_failed', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { details: issues });

/** True for failures that mean "Responder said no to these credentials", as opposed to "Responder is down". */
function isRejection(err: unknown): err is UpstreamError {
  return err instanceof UpstreamError && (err.kind === 'needs_reconnect' || err.kind === 'auth' || err.kind === 'permanent');
}

/**
 * The location's settings as the panel edits them: sync defaults, dry run and rules (location_settings), the
 * Responder Live connection (credentials sealed, never returned: `hasSecret`), its lists and webhook URL.
 */
export class PanelSettingsService {
  private readonly clientFor: ResponderClientFactory;
  private readonly clock: () => number;

  constructor(
    private readonly deps: {
      settings: LocationSettingsRepository;
      connections: ResponderConnectionRepository;
      listChoices: ResponderListChoiceRepository;
      publicUrl: string;
      responderConfig: { apiBaseUrl: string; timeoutMs: number };
      responderClient?: ResponderClientFactory | undefined;
      logger: Logger;
      clock?: () => number;
    },
  ) {
    this.clock = deps.clock ?? Date.now;
    this.clientFor =
      deps.responderClient ??
      ((credentials, tokenCache) =>
        new ResponderClient({
          baseUrl: deps.responderConfig.apiBaseUrl,
          timeoutMs: deps.responderConfig.timeoutMs,
          credentials,
          logger: deps.logger,
          ...(tokenCache ? { tokenCache } : {}),
        }));
  }

  /** GET /api/settings. The first read creates the webhook key, so the URL to paste exists from the start. */
  async get(locationId: string): Promise<Settings> {
    const key = await this.deps.connections.ensureWebhookKey(locationId);
    const [stored, connection, choice] = await Promise.all([
      this.deps.settings.get(locationId),
      this.deps.connections.get(locationId),
      this.deps.listChoices.get(locationId),
    ]);
    const credentials = connection?.credentials ?? null;
    const defaults: Settings['defaults'] = { ...stored.defaults };
    return {
      responder: {
        connected: credentials !== null,
        ...(credentials ? { clientId: credentials.clientId } : {}),
        hasSecret: credentials !== null,
        webhookUrl: this.webhookUrl(connection?.webhookKey ?? key),
        lists: choice.lists,
        defaultListIds: choice.defaultListIds,
      },
      defaults,
      dryRun: stored.dryRun,
      rules: stored.rules,
    };
  }

  /**
   * PUT /api/settings (admin). Everything is checked before anything is written: field rules, the time zone,
   * list ids against the account's lists, and new credentials against Responder itself (a refusal is 422 on
   * `responder.credentials`).
   */
  async update(locationId: string, userId: string, input: UpdateSettingsInput): Promise<Settings> {
    const issues: FieldIssue[] = [];
    const timezone = input.defaults?.timezone;
    if (typeof timezone === 'string' && !IANAZone.isValidZone(timezone)) {
      issues.push({ path: 'defaults.timezone', message: 'Not an IANA time zone name (e.g. Asia/Jerusalem)' });
    }
    if (input.rules !== undefined) {
      // Placeholders and field names per trigger (automations/rule-validation.ts): `rules[2].actions[0].body`.
      const checked = validateRules(input.rules);
      if (!checked.ok) issues.push(...checked.errors);
    }
    const responder = input.responder;
    if (responder?.disconnect && responder.credentials) {
      issues.push({ path: 'responder.disconnect', message: 'Send either new credentials or disconnect, not both' });
    }

    let freshLists: ResponderList[] | undefined;
    if (responder?.credentials && issues.length === 0) {
      const test = await this.tryCredentials(responder.credentials);
      if (!test.ok) {
        issues.push({ path: 'responder.credentials', message: test.message ?? 'Responder Live refused these credentials' });
      } else freshLists = test.lists;
    }
    if (responder?.defaultListIds && issues.length === 0) {
      const known = freshLists ?? (await this.deps.listChoices.get(locationId)).lists;
      // Only checkable once the account's lists are known; before that the ids are taken as given.
      if (known.length > 0) {
        const ids = new Set(known.map((l) => l.id));
        responder.defaultListIds.forEach((id, i) => {
          if (!ids.has(id)) issues.push({ path: `responder.defaultListIds.${i}`, message: `No list ${id} in this Responder Live account` });
        });
      }
    }
    if (issues.length) throw invalid(issues);

    const current = await this.deps.settings.get(locationId);
    const next: LocationSettings = {
      ...current,
      defaults: mergeDefaults(current.defaults, input.defaults),
      ...(input.dryRun !== undefined ? { dryRun: input.dryRun } : {}),
      ...(input.rules !== undefined ? { rules: input.rules } : {}),
    };
    if (input.defaults !== undefined || input.dryRun !== undefined || input.rules !== undefined) {
      await this.deps.settings.save(locationId, next, userId);
    }
    const now = this.clock();
    if (responder?.disconnect) {
      await this.deps.connections.clearCredentials(locationId);
      await this.deps.listChoices.clear(locationId);
    }
    if (responder?.credentials) {
      await this.deps.connections.upsertCredentials(locationId, responder.credentials);
      if (freshLists) await this.deps.listChoices.saveLists(locationId, freshLists, now);
    }
    if (responder?.defaultListIds) await this.deps.listChoices.saveDefaultListIds(locationId, responder.defaultListIds, now);
    return this.get(locationId);
  }

  /**
   * POST /api/settings/responder/test: the given credentials, else the stored ones. A refusal is an answer
   * (`ok: false`), not an error; lists fetched with the stored credentials are remembered.
   */
  async testConnection(locationId: string, credentials?: ResponderCredentials): Promise<ResponderTestResult> {
    if (credentials) return this.tryCredentials(credentials);
    const connection = await this.deps.connections.get(locationId);
    if (!connection?.credentials) {
      throw invalid([{ path: 'credentials', message: 'No Responder Live credentials are saved; enter them first' }]);
    }
    const client = this.clientFor(connection.credentials, this.deps.connections.tokenCache(locationId));
    const result = await this.tryClient(client);
    if (result.ok) await this.deps.listChoices.saveLists(locationId, result.lists, this.clock());
    return result;
  }

  /** POST /api/settings/responder/register-webhooks: our URL on each list (the given ones, else the defaults). */
  async registerWebhooks(locationId: string, listIds?: number[]): Promise<RegisterWebhooksResult> {
    const connection = await this.deps.connections.get(locationId);
    if (!connection?.credentials) {
      throw invalid([{ path: 'credentials', message: 'Connect Responder Live (API credentials) before registering webhooks' }]);
    }
    const choice = await this.deps.listChoices.get(locationId);
    const ids = listIds ?? choice.defaultListIds;
    if (ids.length === 0) throw invalid([{ path: 'listIds', message: 'Pick at least one list' }]);

    const client = this.clientFor(connection.credentials, this.deps.connections.tokenCache(locationId));
    const outcome = await registerWebhooks(client, {
      listIds: ids,
      url: this.webhookUrl(connection.webhookKey),
      name: RESPONDER_WEBHOOK_NAME,
    });
    const names = new Map(choice.lists.map((l) => [l.id, l.name]));
    const failed = new Map(outcome.failed.map((f) => [f.listId, f.message]));
    const results: WebhookRegistration[] = [...new Set(ids)].map((listId) => {
      const listName = names.get(listId) ?? String(listId);
      if (outcome.created.includes(listId)) return { listId, listName, outcome: 'registered' };
      if (outcome.existing.includes(listId)) return { listId, listName, outcome: 'already_registered' };
      return { listId, listName, outcome: 'failed', message: failed.get(listId) ?? 'Not registered' };
    });
    return { results };
  }

  /** POST /api/settings/rules/test: the dry-run plan of a rule on a sample event (Hebrew by default); writes nothing. */
  testRule(locationId: string, input: RuleTestInput): Promise<TestRuleResult> {
    return new RuleTestService({ settings: this.deps.settings, logger: this.deps.logger, now: this.clock }).test(locationId, input);
  }

  /** POST /api/settings/responder/rotate-key: a new webhook URL; the old one stops working at once. */
  async rotateKey(locationId: string): Promise<Settings> {
    await this.deps.connections.rotateWebhookKey(locationId);
    return this.get(locationId);
  }

  private webhookUrl(key: string): string {
    return `${this.deps.publicUrl}/webhooks/responder/${encodeURIComponent(key)}`;
  }

  private tryCredentials(credentials: ResponderCredentials): Promise<ResponderTestResult> {
    return this.tryClient(this.clientFor(credentials));
  }

  private async tryClient(client: Pick<ResponderClient, 'getToken' | 'listLists'>): Promise<ResponderTestResult> {
    try {
      await client.getToken();
      // Dynamic lists take no direct subscribers, so they cannot be a default list (responder-client.ts).
      const lists = (await client.listLists()).filter((l) => !l.dynamic).map((l) => ({ id: l.id, name: l.name }));
      return { ok: true, lists };
    } catch (err) {
      if (isRejection(err)) return { ok: false, message: err.message, lists: [] };
      throw err;
    }
  }
}

/** Applies a partial `defaults` update; `null` clears an optional field, absent leaves it as it is. */
function mergeDefaults(
  current: LocationSettings['defaults'],
  patch: UpdateSettingsInput['defaults'],
): LocationSettings['defaults'] {
  if (!patch) return current;
  const next: Record<string, unknown> = { ...current };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return next as LocationSettings['defaults'];
}
