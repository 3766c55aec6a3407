import type { Condition, Conditions } from '../../shared/contracts/rules';
import { matchKeyword, matchableText } from '../sync/follow-up';
import { changedFieldNames, type ContactDiff } from './contact-diff';
import { formatValue, lookup, parsePlaceholder, type TemplateScope } from './template-renderer';

/** What conditions are evaluated against: the rule scope (same values as templates) plus the event's extras. */
export interface ConditionFacts {
  scope: TemplateScope;
  /** GHL contact events: what changed (own writes already removed unless the rule opted in). */
  diff?: ContactDiff | undefined;
  /** The text keywords are looked for in: message subject + text, a note body, a task title + body. */
  text?: string | undefined;
  list?: { id?: string | undefined; name?: string | undefined } | undefined;
  /** The location's follow-up keywords (settings.defaults.followUpKeywords). */
  locationKeywords: readonly string[];
}

const same = (a: string, b: string) => matchableText(a).trim() === matchableText(b).trim();

function valuesOf(facts: ConditionFacts, field: string): string[] {
  const segments = parsePlaceholder(field);
  const value = segments ? lookup(facts.scope, segments) : undefined;
  return Array.isArray(value) ? value.map(formatValue) : [formatValue(value)];
}

/** One condition; pure. Text comparisons ignore case, bidi marks and niqqud (same folding as the keywords). */
export function evaluateCondition(c: Condition, facts: ConditionFacts): boolean {
  switch (c.type) {
    case 'field_equals':
      return valuesOf(facts, c.field).some((v) => same(v, c.value));
    case 'field_contains': {
      const needle = matchableText(c.value);
      return valuesOf(facts, c.field).some((v) => matchableText(v).includes(needle));
    }
    case 'field_changed': {
      if (!facts.diff) return false;
      return changedFieldNames(facts.diff).some((f) => f === c.field || f.startsWith(`${c.field}.`));
    }
    case 'tag_added':
      return (facts.diff?.tagsAdded ?? []).some((t) => same(t, c.tag));
    case 'tag_removed':
      return (facts.diff?.tagsRemoved ?? []).some((t) => same(t, c.tag));
    case 'list_is': {
      if (!facts.list) return false;
      if (c.listId !== undefined && facts.list.id !== String(c.listId)) return false;
      if (c.listName !== undefined && !(facts.list.name && same(facts.list.name, c.listName))) return false;
      return true;
    }
    case 'text_matches_keywords': {
      const keywords = [...c.keywords, ...(c.useLocationKeywords ? facts.locationKeywords : [])];
      return Boolean(facts.text) && keywords.length > 0 && matchKeyword(facts.text!, keywords) !== undefined;
    }
  }
}

/** All or any of the items; no items always matches. */
export function evaluateConditions(conditions: Conditions, facts: ConditionFacts): boolean {
  if (conditions.items.length === 0) return true;
  return conditions.mode === 'all'
    ? conditions.items.every((c) => evaluateCondition(c, facts))
    : conditions.items.some((c) => evaluateCondition(c, facts));
}

/** The keyword that matched, for the activity log (first of the rule's, then the location's). */
export function matchedKeyword(c: Extract<Condition, { type: 'text_matches_keywords' }>, facts: ConditionFacts): string | undefined {
  if (!facts.text) return undefined;
  return matchKeyword(facts.text, [...c.keywords, ...(c.useLocationKeywords ? facts.locationKeywords : [])]);
}
