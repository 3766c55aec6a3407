import { triggerMatches, type Action, type AutomationRule } from '../../shared/contracts/rules';
import type { GhlContact } from '../integrations/ghl/ghl-schemas';
import type { ResponderEvent } from '../integrations/responder/responder-event';
import type { HandlerContext } from '../jobs/inbox-worker';
import type { LocationSettings } from '../sync/sync-settings';
import { DEFAULT_RULE_IDS } from './default-rules';
import type { ActionEnv, ActionStores, ResponderPort, StepOutcome } from './actions/action-env';
import { evaluateConditions } from './condition-evaluator';
import { planUpsertContact } from './dry-run';
import { runRules, summariseRuns, type RuleRunRecord } from './rule-runner';
import { contactScope, responderEventScope, responderText } from './rule-scope';
import { followUpDecision } from '../sync/follow-up';
import type { GhlClient } from '../integrations/ghl/ghl-client';

/*
 * Responder Live events through the rule engine (issue 5 §1): the sync engine (server/sync/responder-event-handler)
 * resolves the contact and owns `upsert_contact` (changed fields, DND on unsubscribe, the last-message field);
 * every other action is the engine's. The default rules reproduce the sync engine's default behaviour.
 */

const RESPONDER_ACTIONS: ReadonlySet<Action['type']> = new Set(['upsert_responder_subscriber', 'remove_responder_subscriber']);
const needsContact = (rule: AutomationRule) => rule.actions.some((a) => !RESPONDER_ACTIONS.has(a.type));

export interface ResponderRulesInput {
  ctx: Pick<HandlerContext, 'event' | 'checkpoint' | 'log' | 'setContactId'>;
  event: ResponderEvent;
  locationId: string;
  settings: LocationSettings;
  rules: readonly AutomationRule[];
  timezone: string;
  occurredAt: number;
  /** Finds or creates the GHL contact (checkpointed by the caller). */
  resolve: () => Promise<{ contactId: string; created: boolean; snapshot: GhlContact }>;
  /** Read-only lookup for dry runs (links, then GHL's duplicate search); null when the contact would be created. */
  lookup: () => Promise<GhlContact | null>;
  /** `upsert_contact` live: writes the changed fields (one checkpointed step named `step`); returns the new snapshot. */
  upsertContact: (step: string, contact: { id: string; snapshot: GhlContact }) => Promise<{ updated: string[]; snapshot: GhlContact }>;
  ghl: GhlClient;
  stores: ActionStores;
  responderFor?: ((locationId: string) => Promise<ResponderPort | null>) | undefined;
  now: () => number;
}

/** What the activity log shows for a Responder event (the sync engine's summary fields, plus the rules). */
export interface ResponderRulesOutcome {
  contactId: string | null;
  created: boolean;
  noteId: string | null;
  taskId: string | null;
  tagsAdded: string[];
  updatedFields: string[];
  followUp: string | null;
  automation: ReturnType<typeof summariseRuns>;
}

const firstDetail = (records: readonly RuleRunRecord[], type: Action['type'], key: string): string | null => {
  for (const s of records.flatMap((r) => r.steps)) {
    const value = s.type === type ? s.detail?.[key] : undefined;
    if (typeof value === 'string') return value;
  }
  return null;
};

/** Runs the location's Responder rules for one event; see ResponderRulesInput for the sync engine's part. */
export async function runResponderRules(input: ResponderRulesInput): Promise<ResponderRulesOutcome> {
  const { event, settings } = input;
  const keywords = settings.defaults.followUpKeywords;
  const list = { id: event.source.list_id, name: event.source.list_name };
  const text = responderText(event);
  // Rules whose conditions fail without looking at the contact are dropped before resolving it: an event no
  // rule wants must not create a GHL contact.
  const bare = responderEventScope({ event, eventId: input.ctx.event.id, timezone: input.timezone, locationId: input.locationId, contact: null, keywords });
  const usesContact = (r: AutomationRule) => r.conditions.items.some((c) => 'field' in c && c.field.startsWith('contact.'));
  const matching = input.rules.filter(
    (r) =>
      r.enabled &&
      triggerMatches(r.trigger, 'responder', event.event) &&
      (usesContact(r) || evaluateConditions(r.conditions, { scope: bare, text, list, locationKeywords: keywords })),
  );
  const live = matching.filter((r) => !settings.dryRun && r.dryRun !== true);

  let contact: { id: string; snapshot: GhlContact } | null = null;
  let created = false;
  let contactIsReal = false;
  if (live.some(needsContact)) {
    const resolved = await input.resolve();
    contact = { id: resolved.contactId, snapshot: resolved.snapshot };
    created = resolved.created;
    contactIsReal = true;
  } else if (matching.some(needsContact)) {
    const found = await input.lookup();
    contact = found ? { id: found.id, snapshot: found } : null;
    contactIsReal = found !== null;
  }
  if (contact && contactIsReal) await input.ctx.setContactId(contact.id);

  const updated: string[] = [];
  let port: Promise<ResponderPort | null> | undefined;
  const sample = contact ?? { id: ':contactId', snapshot: { id: ':contactId', tags: [], customFields: [] } as GhlContact };
  const records = await runRules({
    rules: matching,
    source: 'responder',
    events: [event.event],
    locationDryRun: settings.dryRun,
    prepare: () => {
      // Only the contact changes from rule to rule (an earlier rule may have written to it): the rest of the
      // scope (note, follow-up texts, local time) is the event's, built once.
      const scope = { ...bare, contact: contactScope(contact?.snapshot ?? null) };
      const env: Omit<ActionEnv, 'ruleId' | 'ruleName' | 'dryRun'> = {
        locationId: input.locationId,
        inboxEventId: input.ctx.event.id,
        ctx: input.ctx,
        ghl: input.ghl,
        stores: input.stores,
        contact: sample,
        contactIsReal,
        scope,
        fromApp: false,
        timezone: input.timezone,
        taskDueHour: settings.defaults.taskDueHour,
        occurredAt: input.occurredAt,
        responder: () => (port ??= input.responderFor ? input.responderFor(input.locationId) : Promise.resolve(null)),
        now: input.now,
      };
      return { env, facts: { scope, text, list, locationKeywords: keywords } };
    },
    upsertContact: async (env, index): Promise<StepOutcome> => {
      if (env.dryRun || !contact) return planUpsertContact(env, event, index);
      const result = await input.upsertContact(`rule:${env.ruleId}:${index}:upsert_contact`, contact);
      contact.snapshot = result.snapshot;
      updated.push(...result.updated);
      return {
        ruleId: env.ruleId,
        action: index,
        type: 'upsert_contact',
        status: 'done',
        requests: result.updated.length > 0 ? [{ service: 'ghl', method: 'PUT', path: `/contacts/${contact.id}`, note: `changed: ${result.updated.join(', ')}` }] : [],
        detail: { contactId: contact.id, created, updatedFields: result.updated },
      };
    },
  });

  const followRule = records.find((r) => r.ruleId === DEFAULT_RULE_IDS.followUpTask && r.matched);
  const decision = followRule ? followUpDecision(event, keywords) : null;
  return {
    contactId: contactIsReal && contact ? contact.id : null,
    created,
    noteId: firstDetail(records, 'add_note', 'noteId'),
    taskId: firstDetail(records, 'create_task', 'taskId'),
    tagsAdded: records.flatMap((r) => r.steps).flatMap((s) => (s.type === 'add_tags' && Array.isArray(s.detail?.tagsAdded) ? (s.detail.tagsAdded as string[]) : [])),
    updatedFields: updated,
    followUp: decision?.needed ? (decision.reason ?? null) : null,
    automation: summariseRuns(records),
  };
}
