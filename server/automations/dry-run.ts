import { AppError } from '../errors';
import type { GhlContact } from '../integrations/ghl/ghl-schemas';
import type { ResponderEvent } from '../integrations/responder/responder-event';
import type { Logger } from '../logger';
import { zoneOrDefault } from '../sync/business-days';
import { contactFields } from '../sync/sync-mappers';
import type { LocationSettings } from '../sync/sync-settings';
import type { ActionEnv, PlannedRequest, ResponderPort, StepOutcome } from './actions/action-env';
import { diffContact, diffFromNothing, type ContactDiff } from './contact-diff';
import { runRules, type BaseEnv, type RuleRunRecord } from './rule-runner';
import { ghlEventScope, responderEventScope, responderText } from './rule-scope';
import { validateRules, type RuleIssue } from './rule-validation';
import { SAMPLE_CONTACT_ID, SAMPLE_NOTE, SAMPLE_TASK, sampleGhlContacts, sampleResponderEvent } from './sample-events';

/*
 * Dry run (issue 5 §5): with settings.dryRun or rule.dryRun every action is planned, not sent; the plan (each
 * request with method, path and body) becomes the event's result summary. "Test this rule" runs a sample event
 * through the same planning and returns the plan; it writes nothing anywhere, our database included.
 */

/** The plan of `upsert_contact` for a Responder event: the upsert GHL would get (the contact id is unknown). */
export function planUpsertContact(env: ActionEnv, event: ResponderEvent, index: number): StepOutcome {
  const request: PlannedRequest = {
    service: 'ghl',
    method: 'POST',
    path: '/contacts/upsert',
    body: { ...contactFields(event), source: 'Responder Live', locationId: env.locationId },
    note: 'only when the contact is not linked yet and GHL finds no duplicate by email or phone; else PUT /contacts/:id with the changed fields',
  };
  return { ruleId: env.ruleId, action: index, type: 'upsert_contact', status: 'planned', requests: [request] };
}

export interface TestRuleSample {
  /** A canonical Responder Live event (Responder triggers). */
  responder?: ResponderEvent;
  /** GHL triggers: the contact before and after (contact events), a note or a task. */
  ghl?: {
    before?: GhlContact | null;
    after?: GhlContact;
    note?: { id: string; body: string };
    task?: { id: string; title: string; body: string; assignedTo: string; dueDate: string };
  };
}

export interface TestRuleResult {
  ruleId: string;
  matched: boolean;
  reason?: string;
  steps: StepOutcome[];
  /** Every request the rule would send, in order. */
  requests: PlannedRequest[];
  /** The sample the rule ran on (what `{{…}}` saw). */
  sample: Record<string, unknown>;
}

export interface TestRuleDeps {
  logger: Logger;
  /** Only read (default lists); nothing is sent. */
  responderFor?: (locationId: string) => Promise<ResponderPort | null>;
  now?: () => number;
}

/**
 * "Test this rule": validates `rule` (422 naming the field), runs a sample event (the given one, else a Hebrew
 * sample) through dry run with the location's settings and returns the plan. Nothing is written anywhere.
 */
export async function testRule(
  deps: TestRuleDeps,
  input: { locationId: string; settings: LocationSettings; timezone?: string | null; rule: unknown; sample?: TestRuleSample },
): Promise<TestRuleResult> {
  const checked = validateRules([input.rule], 'rule');
  if (!checked.ok) throw invalidRule(checked.errors.map((e) => ({ ...e, path: e.path.replace(/^rule\[0\]/, 'rule') })));
  const rule = { ...checked.rules[0]!, enabled: true, dryRun: true };
  const now = deps.now ?? Date.now;
  const timezone = zoneOrDefault(input.settings.defaults.timezone ?? input.timezone);
  const occurredAt = new Date(now()).toISOString();
  const keywords = input.settings.defaults.followUpKeywords;
  const noCheckpoints: ActionEnv['ctx'] = { checkpoint: (_step, run) => run(), log: deps.logger };

  let events: string[];
  let scope: Record<string, unknown>;
  let contact: GhlContact;
  let diff: ContactDiff | undefined;
  let text: string | undefined;
  let list: { id?: string; name?: string } | undefined;
  let responderEvent: ResponderEvent | undefined;
  if (rule.trigger.source === 'responder') {
    responderEvent = input.sample?.responder ?? sampleResponderEvent(rule.trigger, occurredAt);
    events = [responderEvent.event];
    contact = { id: SAMPLE_CONTACT_ID, tags: [], customFields: [], ...contactFields(responderEvent) };
    scope = responderEventScope({ event: responderEvent, eventId: 'sample', timezone, locationId: input.locationId, contact, keywords });
    text = responderText(responderEvent);
    list = { id: responderEvent.source.list_id, name: responderEvent.source.list_name };
  } else {
    const type = rule.trigger.event === 'Contact*' ? 'ContactUpdate' : rule.trigger.event;
    events = [type];
    const samples = sampleGhlContacts(input.locationId);
    const before = input.sample?.ghl?.before === undefined ? samples.before : input.sample.ghl.before;
    contact = input.sample?.ghl?.after ?? samples.after;
    if (['ContactCreate', 'ContactUpdate', 'ContactTagUpdate', 'ContactDndUpdate'].includes(type)) {
      diff = type === 'ContactCreate' || before === null ? diffFromNothing(contact) : diffContact(before, contact);
    }
    const note = type === 'NoteCreate' ? (input.sample?.ghl?.note ?? SAMPLE_NOTE) : undefined;
    const task = type === 'TaskCreate' || type === 'TaskComplete' ? (input.sample?.ghl?.task ?? SAMPLE_TASK) : undefined;
    text = note?.body ?? (task ? `${task.title}\n${task.body}` : undefined);
    scope = ghlEventScope({ eventType: type, eventId: 'sample', occurredAt, timezone, locationId: input.locationId, contact, diff, note, task });
  }

  const env: BaseEnv = {
    locationId: input.locationId,
    inboxEventId: 'sample',
    ctx: noCheckpoints,
    ghl: null,
    stores: null,
    contact: { id: contact.id, snapshot: contact },
    contactIsReal: false,
    scope,
    diff,
    fromApp: false,
    timezone,
    taskDueHour: input.settings.defaults.taskDueHour,
    occurredAt: Date.parse(occurredAt),
    responder: () => (deps.responderFor ? deps.responderFor(input.locationId) : Promise.resolve(null)),
    now,
  };
  const [record] = await runRules({
    rules: [rule],
    source: rule.trigger.source,
    events,
    locationDryRun: true,
    prepare: () => ({ env, facts: { scope, diff, text, list, locationKeywords: keywords } }),
    ...(responderEvent ? { upsertContact: (e: ActionEnv, i: number) => Promise.resolve(planUpsertContact(e, responderEvent, i)) } : {}),
  });
  return resultOf(rule.id, record, scope);
}

function resultOf(ruleId: string, record: RuleRunRecord | undefined, sample: Record<string, unknown>): TestRuleResult {
  const steps = record?.steps ?? [];
  return {
    ruleId,
    matched: record?.matched ?? false,
    ...(record?.reason ? { reason: record.reason } : {}),
    steps,
    requests: steps.flatMap((s) => s.requests),
    sample,
  };
}

/** 422 `validation_failed` whose message and details name each bad field. */
export function invalidRule(errors: readonly RuleIssue[]): AppError {
  return new AppError(422, 'validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { details: errors });
}
