import * as z from 'zod/mini';
import {
  GHL_CONTACT_CHANGE_EVENTS,
  RulesSchema,
  conditionFieldsFor,
  isCatalogued,
  placeholdersFor,
  type Action,
  type AutomationRule,
  type Condition,
  type Trigger,
} from '../../shared/contracts/rules';
import { findUnclosedPlaceholder, findUnknownPlaceholders } from './template-renderer';

/** One refusal, with the path the panel shows next to the input: `rules[2].actions[0].body`. */
export interface RuleIssue {
  path: string;
  message: string;
}

export type RuleValidation = { ok: true; rules: AutomationRule[] } | { ok: false; errors: RuleIssue[] };

/** `['rules', 2, 'actions', 0, 'body']` → `rules[2].actions[0].body`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : `${out ? '.' : ''}${String(s)}`;
  return out;
}

const isContactChange = (t: Trigger) => t.source === 'ghl' && GHL_CONTACT_CHANGE_EVENTS.includes(t.event);
const hasMessages = (t: Trigger) => t.source === 'responder' && (t.event.startsWith('message.') || t.event === '*');
const hasText = (t: Trigger) =>
  hasMessages(t) || (t.source === 'ghl' && ['NoteCreate', 'TaskCreate', 'TaskComplete'].includes(t.event));

/** Why a condition cannot be used with this trigger, or null when it can. */
function conditionProblem(trigger: Trigger, c: Condition): { key: string; message: string } | null {
  const fields = conditionFieldsFor(trigger);
  switch (c.type) {
    case 'field_equals':
    case 'field_contains':
      return isCatalogued(fields, c.field) ? null : { key: 'field', message: `unknown field "${c.field}" for trigger ${trigger.event}` };
    case 'field_changed':
      if (!isContactChange(trigger)) return { key: 'type', message: `field_changed needs a GHL contact trigger (ContactCreate/Update/TagUpdate/DndUpdate), not ${trigger.event}` };
      if (!c.field.startsWith('contact.') || !isCatalogued(fields, c.field)) {
        return { key: 'field', message: `unknown field "${c.field}" for trigger ${trigger.event} (use contact.*)` };
      }
      return null;
    case 'tag_added':
    case 'tag_removed':
      return isContactChange(trigger) ? null : { key: 'type', message: `${c.type} needs a GHL contact trigger, not ${trigger.event}` };
    case 'list_is':
      if (trigger.source !== 'responder') return { key: 'type', message: `list_is needs a Responder Live trigger, not ${trigger.event}` };
      return c.listId === undefined && c.listName === undefined ? { key: 'listId', message: 'give listId or listName' } : null;
    case 'text_matches_keywords':
      if (!hasText(trigger)) return { key: 'type', message: `text_matches_keywords needs a message, note or task trigger, not ${trigger.event}` };
      return c.keywords.length === 0 && !c.useLocationKeywords ? { key: 'keywords', message: 'give at least one keyword' } : null;
  }
}

/** Why an action cannot run for this trigger, or null. */
function actionProblem(trigger: Trigger, a: Action): string | null {
  if (a.type === 'upsert_contact' && trigger.source !== 'responder') {
    return 'upsert_contact needs a Responder Live trigger (a GHL event already names its contact)';
  }
  const writesGhl = !['upsert_contact', 'upsert_responder_subscriber', 'remove_responder_subscriber'].includes(a.type);
  if (writesGhl && trigger.source === 'ghl' && trigger.event === 'ContactDelete') {
    return `${a.type} cannot run on ContactDelete: the contact no longer exists in GHL`;
  }
  return null;
}

/** The template fields of an action, as [path suffix, template]. */
function templatesOf(a: Action): [PropertyKey[], string][] {
  switch (a.type) {
    case 'add_note':
      return [[['body'], a.body]];
    case 'create_task':
      return [[['title'], a.title], ...(a.body === undefined ? [] : [[['body'], a.body] as [PropertyKey[], string]])];
    case 'add_tags':
    case 'remove_tags':
    case 'upsert_responder_subscriber':
      return a.tags.map((t, i) => [['tags', i], t]);
    case 'update_custom_field':
      return [[['value'], a.value]];
    default:
      return [];
  }
}

/**
 * Validates a location's rules before they are saved: the shape (zod), unique ids, every condition field and
 * every placeholder against the trigger's catalogue, and which conditions/actions a trigger supports. Errors
 * name the field: `rules[2].actions[0].body: unknown placeholder {{contact.nmae}}`.
 */
export function validateRules(input: unknown, basePath = 'rules'): RuleValidation {
  const parsed = z.safeParse(RulesSchema, input);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({ path: formatPath([basePath, ...i.path]), message: i.message })),
    };
  }
  const errors: RuleIssue[] = [];
  const seen = new Map<string, number>();
  parsed.data.forEach((rule, r) => {
    const at = (...rest: PropertyKey[]) => formatPath([basePath, r, ...rest]);
    const first = seen.get(rule.id);
    if (first !== undefined) errors.push({ path: at('id'), message: `duplicate rule id "${rule.id}" (also rules[${first}])` });
    else seen.set(rule.id, r);

    rule.conditions.items.forEach((c, i) => {
      const problem = conditionProblem(rule.trigger, c);
      if (problem) errors.push({ path: at('conditions', 'items', i, problem.key), message: problem.message });
    });
    const catalogue = placeholdersFor(rule.trigger);
    rule.actions.forEach((a, i) => {
      const problem = actionProblem(rule.trigger, a);
      if (problem) errors.push({ path: at('actions', i, 'type'), message: problem });
      for (const [suffix, template] of templatesOf(a)) {
        for (const name of findUnknownPlaceholders(template, (p) => isCatalogued(catalogue, p))) {
          errors.push({ path: at('actions', i, ...suffix), message: `unknown placeholder {{${name}}}` });
        }
        const unclosed = findUnclosedPlaceholder(template);
        if (unclosed !== null) errors.push({ path: at('actions', i, ...suffix), message: `unclosed placeholder "${unclosed}"` });
      }
    });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rules: parsed.data };
}

/** One line per issue, for an error message: `rules[2].actions[0].body: unknown placeholder {{contact.nmae}}`. */
export function describeRuleIssues(errors: readonly RuleIssue[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('; ');
}
