import type { Action, ActionType, Condition, Trigger } from '../../../shared/contracts/rules';
import {
  GHL_TRIGGER_EVENTS,
  GHL_TRIGGER_WILDCARDS,
  RESPONDER_TRIGGER_EVENTS,
  RESPONDER_TRIGGER_WILDCARDS,
} from '../../../shared/contracts/rules';
import type { Rule } from '../../../shared/contracts/settings';

/*
 * Plain helpers of the rules editor (no Vue): blank rules, actions and conditions, and the mapping of the
 * server's 422 `details[].path` (`rules[2].actions[0].body`, or zod's dotted `rules.2.actions.0.body`) onto the
 * fields of the rule being edited.
 */

export const ACTION_TYPES: readonly ActionType[] = [
  'upsert_contact',
  'add_note',
  'create_task',
  'complete_task',
  'add_tags',
  'remove_tags',
  'set_dnd',
  'update_custom_field',
  'upsert_responder_subscriber',
  'remove_responder_subscriber',
];

export type ConditionType = Condition['type'];
export const CONDITION_TYPES: readonly ConditionType[] = [
  'field_equals',
  'field_contains',
  'field_changed',
  'tag_added',
  'tag_removed',
  'list_is',
  'text_matches_keywords',
];

/** The events (then wildcards) a trigger source offers. */
export function eventsOf(source: Trigger['source']): readonly string[] {
  return source === 'responder'
    ? [...RESPONDER_TRIGGER_EVENTS, ...RESPONDER_TRIGGER_WILDCARDS]
    : [...GHL_TRIGGER_EVENTS, ...GHL_TRIGGER_WILDCARDS];
}

/** A rule id unique enough for a location's list (the server refuses duplicates by path). */
export function newRuleId(): string {
  return `rule-${crypto.randomUUID()}`;
}

/** Deep copy of plain JSON data (reactive proxies included, which `structuredClone` refuses). */
export function cloneRule(rule: Rule): Rule {
  return JSON.parse(JSON.stringify(rule)) as Rule;
}

/** The starting point of "Add rule": an inbound message adds a note with the standard message text. */
export function blankRule(): Rule {
  return {
    version: 1,
    id: newRuleId(),
    name: '',
    enabled: true,
    dryRun: true,
    trigger: { source: 'responder', event: 'message.received' },
    conditions: { mode: 'all', items: [] },
    actions: [blankAction('add_note')],
  };
}

export function blankAction(type: ActionType): Action {
  switch (type) {
    case 'upsert_contact':
      return { type };
    case 'add_note':
      return { type, body: '' };
    case 'create_task':
      return { type, title: '', dueInBusinessDays: 1, assignee: { type: 'contact_owner' } };
    case 'complete_task':
      return { type };
    case 'add_tags':
    case 'remove_tags':
      return { type, tags: [] };
    case 'set_dnd':
      return { type, channel: 'all', enabled: true };
    case 'update_custom_field':
      return { type, fieldId: '', value: '' };
    case 'upsert_responder_subscriber':
      return { type, listIds: [], tags: [], unsubscribeTag: 'unsubscribed' };
    case 'remove_responder_subscriber':
      return { type, listId: 0 };
  }
}

export function blankCondition(type: ConditionType): Condition {
  switch (type) {
    case 'field_equals':
    case 'field_contains':
      return { type, field: '', value: '' };
    case 'field_changed':
      return { type, field: '' };
    case 'tag_added':
    case 'tag_removed':
      return { type, tag: '' };
    case 'list_is':
      return { type };
    case 'text_matches_keywords':
      return { type, keywords: [] };
  }
}

/** Moves item `index` by `delta` (returns a new array; out-of-range moves return the same order). */
export function moved<T>(items: readonly T[], index: number, delta: number): T[] {
  const next = [...items];
  const target = index + delta;
  if (target < 0 || target >= next.length) return next;
  const [item] = next.splice(index, 1);
  if (item !== undefined) next.splice(target, 0, item);
  return next;
}

/** One line per entry, blanks dropped (tags and keywords are edited as lines: a Hebrew tag may hold a comma). */
export function linesOf(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** `rules.2.actions.0.body` → `rules[2].actions[0].body` (zod's dotted paths and the rule validator's agree). */
export function normalizePath(path: string): string {
  return path.replace(/\.(\d+)(?=\.|\[|$)/g, '[$1]');
}

/** Field errors of one rule, keyed by the path inside the rule (`actions[0].body`). */
export type FieldErrors = Record<string, string[]>;

/**
 * Picks the errors of the rule at `prefix` (`rules[2]` after a save, `rule` after a test) out of a 422's details.
 * Errors without a path inside the rule are kept under `''` (shown at the top of the form).
 */
export function errorsForRule(details: unknown, prefix: string): FieldErrors {
  const out: FieldErrors = {};
  if (!Array.isArray(details)) return out;
  for (const d of details as unknown[]) {
    if (typeof d !== 'object' || d === null) continue;
    const { path, message } = d as { path?: unknown; message?: unknown };
    if (typeof path !== 'string' || typeof message !== 'string') continue;
    const p = normalizePath(path);
    let local: string;
    if (p === prefix) local = '';
    else if (p.startsWith(`${prefix}.`)) local = p.slice(prefix.length + 1);
    else continue;
    (out[local] ??= []).push(message);
  }
  return out;
}

/** The messages for a field and anything under it (`tags` also takes `tags[1]`). */
export function errorsAt(errors: FieldErrors, path: string): string[] {
  return Object.entries(errors)
    .filter(([p]) => p === path || p.startsWith(`${path}[`) || p.startsWith(`${path}.`))
    .flatMap(([, messages]) => messages);
}
