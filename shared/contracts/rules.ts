import * as z from 'zod/mini';
import { IdSchema } from './common';
import { RESPONDER_EVENT_TYPES } from './messages';

/*
 * Automation rules (issue 5): a trigger, conditions and an ordered list of actions, stored per location inside
 * the versioned settings (shared/contracts/settings.ts). This file holds the shape (zod/mini, it ships in the
 * panel) and the catalogue of field names each trigger knows; the server adds the checks that need more than a
 * shape (placeholders, field names per trigger) in server/automations/rule-validation.ts.
 */

/** Bumped when a stored rule needs migrating; rules without it are version 1. */
export const RULES_VERSION = 1;

/** Every canonical Responder Live event can trigger a rule. */
export const RESPONDER_TRIGGER_EVENTS = RESPONDER_EVENT_TYPES;
/** Wildcards a Responder trigger may use instead of one event: every message event, every subscriber event, all. */
export const RESPONDER_TRIGGER_WILDCARDS = ['message.*', 'subscriber.*', '*'] as const;
export type ResponderTriggerEvent = (typeof RESPONDER_TRIGGER_EVENTS)[number] | (typeof RESPONDER_TRIGGER_WILDCARDS)[number];

export const GHL_TRIGGER_EVENTS = [
  'ContactCreate',
  'ContactUpdate',
  'ContactTagUpdate',
  'ContactDndUpdate',
  'ContactDelete',
  'NoteCreate',
  'TaskCreate',
  'TaskComplete',
] as const;
/** A GHL trigger may use `Contact*` for every contact change (create, update, tag and DND updates; not delete). */
export const GHL_TRIGGER_WILDCARDS = ['Contact*'] as const;
export type GhlTriggerEvent = (typeof GHL_TRIGGER_EVENTS)[number] | (typeof GHL_TRIGGER_WILDCARDS)[number];
/** GHL events that carry a whole contact and are diffed against the last seen state. */
export const GHL_CONTACT_CHANGE_EVENTS: readonly GhlTriggerEvent[] = ['ContactCreate', 'ContactUpdate', 'ContactTagUpdate', 'ContactDndUpdate', 'Contact*'];

export const TriggerSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('responder'), event: z.enum([...RESPONDER_TRIGGER_EVENTS, ...RESPONDER_TRIGGER_WILDCARDS]) }),
  z.object({ source: z.literal('ghl'), event: z.enum([...GHL_TRIGGER_EVENTS, ...GHL_TRIGGER_WILDCARDS]) }),
]);
export type Trigger = z.infer<typeof TriggerSchema>;

const FieldNameSchema = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const ValueSchema = z.string().check(z.maxLength(1000));
const TagSchema = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
/** A text with `{{placeholders}}` (server/automations/template-renderer.ts). */
const TemplateSchema = z.string().check(z.maxLength(5000));
const ListIdSchema = z.int().check(z.gte(1));

export const ConditionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('field_equals'), field: FieldNameSchema, value: ValueSchema }),
  z.object({ type: z.literal('field_contains'), field: FieldNameSchema, value: ValueSchema }),
  /** True when a GHL contact event changed the field (`contact.email`, `contact.customFields.<id>`…). */
  z.object({ type: z.literal('field_changed'), field: FieldNameSchema }),
  z.object({ type: z.literal('tag_added'), tag: TagSchema }),
  z.object({ type: z.literal('tag_removed'), tag: TagSchema }),
  /** The Responder list of the event, by id or by name (one of them). */
  z.object({ type: z.literal('list_is'), listId: z.optional(ListIdSchema), listName: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))) }),
  /** Whole-word match (Hebrew prefixes understood); `useLocationKeywords` adds the location's follow-up keywords. */
  z.object({
    type: z.literal('text_matches_keywords'),
    keywords: z._default(z.array(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))).check(z.maxLength(100)), []),
    useLocationKeywords: z.optional(z.boolean()),
  }),
]);
export type Condition = z.infer<typeof ConditionSchema>;

export const ConditionsSchema = z.object({
  mode: z._default(z.enum(['all', 'any']), 'all'),
  items: z._default(z.array(ConditionSchema).check(z.maxLength(50)), []),
});
export type Conditions = z.infer<typeof ConditionsSchema>;

export const AssigneeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('contact_owner') }),
  z.object({ type: z.literal('user'), userId: IdSchema }),
  z.object({ type: z.literal('round_robin'), userIds: z.array(IdSchema).check(z.minLength(1), z.maxLength(100)) }),
]);
export type Assignee = z.infer<typeof AssigneeSchema>;

export const DND_CHANNELS = ['email', 'sms', 'whatsapp', 'all'] as const;

export const ActionSchema = z.discriminatedUnion('type', [
  /** Responder triggers: find or create the GHL contact and write changed name/email/phone (seed flow 1). */
  z.object({ type: z.literal('upsert_contact') }),
  z.object({ type: z.literal('add_note'), body: TemplateSchema.check(z.minLength(1)) }),
  z.object({
    type: z.literal('create_task'),
    title: TemplateSchema.check(z.minLength(1), z.maxLength(500)),
    body: z.optional(TemplateSchema),
    dueInBusinessDays: z._default(z.int().check(z.gte(0), z.lte(60)), 1),
    /** Local hour in the location's time zone; absent = the location's default task hour. */
    dueHour: z.optional(z.int().check(z.gte(0), z.lte(23))),
    assignee: z._default(AssigneeSchema, { type: 'contact_owner' }),
  }),
  /** Completes the contact's open tasks (those whose title contains the text, else all of them). */
  z.object({ type: z.literal('complete_task'), titleContains: z.optional(z.string().check(z.maxLength(500))) }),
  z.object({ type: z.literal('add_tags'), tags: z.array(TemplateSchema.check(z.minLength(1), z.maxLength(200))).check(z.minLength(1), z.maxLength(50)) }),
  z.object({ type: z.literal('remove_tags'), tags: z.array(TemplateSchema.check(z.minLength(1), z.maxLength(200))).check(z.minLength(1), z.maxLength(50)) }),
  z.object({ type: z.literal('set_dnd'), channel: z.enum(DND_CHANNELS), enabled: z.boolean() }),
  z.object({ type: z.literal('update_custom_field'), fieldId: IdSchema, value: TemplateSchema }),
  /**
   * Upserts the contact into Responder Live lists (empty = the location's default lists) with tags (names,
   * created in Responder when missing). A contact with DND on or the unsubscribe tag is marked inactive instead.
   */
  z.object({
    type: z.literal('upsert_responder_subscriber'),
    listIds: z._default(z.array(ListIdSchema).check(z.maxLength(50)), []),
    tags: z._default(z.array(TemplateSchema.check(z.minLength(1), z.maxLength(200))).check(z.maxLength(50)), []),
    /** Also send the contact's GHL tags (the app's own `responder-live`/`responder:*` markers excluded). */
    includeContactTags: z.optional(z.boolean()),
    unsubscribeTag: z._default(z.string().check(z.trim(), z.minLength(1), z.maxLength(200)), 'unsubscribed'),
  }),
  z.object({ type: z.literal('remove_responder_subscriber'), listId: ListIdSchema }),
]);
export type Action = z.infer<typeof ActionSchema>;
export type ActionType = Action['type'];

export const AutomationRuleSchema = z.object({
  version: z._default(z.literal(RULES_VERSION), RULES_VERSION),
  id: IdSchema,
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(120)),
  enabled: z.boolean(),
  /** Plan and record every step without writing (also on for the whole location with settings.dryRun). */
  dryRun: z.optional(z.boolean()),
  /** Fire on changes the app itself made (off: the app's own writes never trigger its GHL rules, SPEC §3). */
  allowOwnChanges: z.optional(z.boolean()),
  trigger: TriggerSchema,
  conditions: z._default(ConditionsSchema, { mode: 'all', items: [] }),
  actions: z.array(ActionSchema).check(z.minLength(1), z.maxLength(20)),
});
export type AutomationRule = z.infer<typeof AutomationRuleSchema>;
export type AutomationRuleInput = z.input<typeof AutomationRuleSchema>;

export const RulesSchema = z.array(AutomationRuleSchema).check(z.maxLength(200));

// ---- Field catalogue: what conditions and placeholders may name, per trigger ----

const COMMON_FIELDS = ['event.type', 'event.id', 'occurredAt', 'occurredAtLocal', 'rule.name', 'location.id'];
const CONTACT_FIELDS = [
  'contact.id', 'contact.displayName', 'contact.firstName', 'contact.lastName', 'contact.name', 'contact.email', 'contact.phone',
  'contact.tags', 'contact.assignedTo', 'contact.dnd', 'contact.companyName', 'contact.source', 'contact.address1',
  'contact.city', 'contact.state', 'contact.country', 'contact.postalCode', 'contact.website', 'contact.dateOfBirth',
];
const SUBSCRIBER_FIELDS = [
  'subscriber.id', 'subscriber.email', 'subscriber.phone', 'subscriber.first', 'subscriber.last', 'subscriber.name',
  'subscriber.tags',
];
const LIST_FIELDS = ['list.id', 'list.name'];
const MESSAGE_FIELDS = [
  'message.id', 'message.channel', 'message.direction', 'message.subject', 'message.text', 'message.url',
  /** 'true' for an inbound reply (message.replied, or message.received inbound). */
  'message.inboundReply',
];
const NOTE_FIELDS = ['note.id', 'note.body'];
const TASK_FIELDS = ['task.id', 'task.title', 'task.body', 'task.assignedTo', 'task.dueDate'];
/** Only in templates: the formatted list of changes, the standard message note, the changed field names. */
const CHANGE_TEMPLATE_FIELDS = ['changes', 'changedFields', 'tags.added', 'tags.removed'];
/** The sync engine's standard texts: the message note (seed flow 3) and the follow-up task (seed flow 1). */
const MESSAGE_TEMPLATE_FIELDS = ['message.note', 'message.followUpTitle', 'message.followUpBody'];

/** Prefixes under which any key is allowed (ids or names chosen by the user). */
const OPEN_PREFIXES = {
  contact: ['contact.customFields.', 'contact.dndSettings.'],
  subscriber: ['subscriber.personalFields.'],
};

/** The field names a trigger's conditions may use (exact names, plus `openPrefixes` + any key). */
export function conditionFieldsFor(trigger: Trigger): { fields: string[]; openPrefixes: string[] } {
  if (trigger.source === 'responder') {
    const messages = trigger.event.startsWith('message.') || trigger.event === '*';
    return {
      fields: [...COMMON_FIELDS, ...CONTACT_FIELDS, ...SUBSCRIBER_FIELDS, ...LIST_FIELDS, ...(messages ? MESSAGE_FIELDS : [])],
      openPrefixes: [...OPEN_PREFIXES.contact, ...OPEN_PREFIXES.subscriber],
    };
  }
  const extra =
    trigger.event === 'NoteCreate' ? NOTE_FIELDS : trigger.event === 'TaskCreate' || trigger.event === 'TaskComplete' ? TASK_FIELDS : [];
  return { fields: [...COMMON_FIELDS, ...CONTACT_FIELDS, ...extra], openPrefixes: [...OPEN_PREFIXES.contact] };
}

/** The placeholders a trigger's templates may use: its condition fields plus template-only ones. */
export function placeholdersFor(trigger: Trigger): { fields: string[]; openPrefixes: string[] } {
  const base = conditionFieldsFor(trigger);
  const extra: string[] = [];
  if (trigger.source === 'ghl' && GHL_CONTACT_CHANGE_EVENTS.includes(trigger.event)) extra.push(...CHANGE_TEMPLATE_FIELDS);
  if (trigger.source === 'responder' && (trigger.event.startsWith('message.') || trigger.event === '*')) {
    extra.push(...MESSAGE_TEMPLATE_FIELDS);
  }
  return { fields: [...base.fields, ...extra], openPrefixes: base.openPrefixes };
}

/** True when `name` is in the catalogue (exactly, or under an open prefix with a non-empty key). */
export function isCatalogued(catalogue: { fields: string[]; openPrefixes: string[] }, name: string): boolean {
  if (catalogue.fields.includes(name)) return true;
  return catalogue.openPrefixes.some((p) => name.startsWith(p) && name.length > p.length);
}

/** Whether a trigger fires for an event of `source`/`event` (wildcards included). */
export function triggerMatches(trigger: Trigger, source: 'responder' | 'ghl', event: string): boolean {
  if (trigger.source !== source) return false;
  if (trigger.event === event || trigger.event === '*') return true;
  if (trigger.event === 'Contact*') return event !== 'ContactDelete' && GHL_CONTACT_CHANGE_EVENTS.includes(event as GhlTriggerEvent);
  return trigger.event.endsWith('.*') && event.startsWith(trigger.event.slice(0, -1));
}

/**
 * `POST /api/settings/rules/test` (admin) body: a rule (validated like a saved one: 422 naming the field) and an
 * optional sample (`responder`: a canonical Responder Live event; `ghl`: `{before, after, note, task}`); without
 * one a Hebrew sample is used. → `{data: RuleTestResult}`: the planned requests, nothing written.
 */
export const RuleTestInputSchema = z.object({
  rule: z.unknown(),
  sample: z.optional(z.object({ responder: z.optional(z.unknown()), ghl: z.optional(z.unknown()) })),
});
export type RuleTestInput = z.infer<typeof RuleTestInputSchema>;

/** One request a rule would send. */
export interface PlannedRuleRequest {
  service: 'ghl' | 'responder';
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  note?: string;
}

/**
 * {@link RuleTestResult} as a schema, for the panel's route contract (loose: the plan is shown, not acted on).
 * Built only from zod/mini pieces the panel's first chunk already has: a new one (`z.record`, `z.number`) would
 * land in that chunk (zod's module is shared) and count against its 100 KB budget.
 */
export const RuleTestResultSchema = z.object({
  ruleId: z.string(),
  matched: z.boolean(),
  reason: z.optional(z.string()),
  steps: z.array(
    z.object({
      action: z.int(),
      type: z.string(),
      status: z.string(),
      requests: z.array(z.unknown()),
      reason: z.optional(z.string()),
    }),
  ),
  requests: z.array(
    z.object({
      service: z.enum(['ghl', 'responder']),
      method: z.enum(['GET', 'POST', 'PUT', 'DELETE']),
      path: z.string(),
      body: z.optional(z.unknown()),
      note: z.optional(z.string()),
    }),
  ),
  sample: z.unknown(),
});

/** The answer of "Test this rule". */
export interface RuleTestResult {
  ruleId: string;
  matched: boolean;
  reason?: string;
  steps: { action: number; type: ActionType; status: 'done' | 'planned' | 'skipped'; requests: PlannedRuleRequest[]; reason?: string }[];
  requests: PlannedRuleRequest[];
  sample: Record<string, unknown>;
}
