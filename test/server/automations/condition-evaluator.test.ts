import { describe, expect, it } from 'vitest';
import { evaluateConditions, type ConditionFacts } from '../../../server/automations/condition-evaluator';
import type { Conditions } from '../../../shared/contracts/rules';

const facts: ConditionFacts = {
  scope: { contact: { email: 'Dana@Example.com', tags: ['VIP', 'לקוח'] }, message: { channel: 'sms', text: 'שָׁלוֹם, מה המחיר?' } },
  diff: { baseline: true, changes: [{ field: 'contact.customFields.cf1', label: '', from: null, to: 'x' }], tagsAdded: ['לקוח'], tagsRemoved: [] },
  text: 'שָׁלוֹם, והמחיר?',
  list: { id: '12', name: 'מתעניינים' },
  locationKeywords: ['מחיר'],
};
const all = (items: Conditions['items']): Conditions => ({ mode: 'all', items });

describe('condition evaluator', () => {
  it('conditions › each type true for matching facts', () => {
    expect(
      evaluateConditions(
        all([
          { type: 'field_equals', field: 'contact.email', value: 'dana@example.com' },
          { type: 'field_equals', field: 'contact.tags', value: 'vip' },
          { type: 'field_contains', field: 'message.text', value: 'שלום' },
          { type: 'field_changed', field: 'contact.customFields' },
          { type: 'tag_added', tag: 'לקוח' },
          { type: 'list_is', listId: 12, listName: 'מתעניינים' },
          { type: 'text_matches_keywords', keywords: [], useLocationKeywords: true },
        ]),
        facts,
      ),
    ).toBe(true);
  });

  it('conditions › all vs any › one false item fails all, passes any; none always passes', () => {
    const items: Conditions['items'] = [
      { type: 'tag_removed', tag: 'VIP' },
      { type: 'field_equals', field: 'message.channel', value: 'SMS' },
    ];
    expect(evaluateConditions(all(items), facts)).toBe(false);
    expect(evaluateConditions({ mode: 'any', items }, facts)).toBe(true);
    expect(evaluateConditions(all([]), facts)).toBe(true);
    expect(evaluateConditions(all([{ type: 'text_matches_keywords', keywords: ['הנחה'] }]), facts)).toBe(false);
    expect(evaluateConditions(all([{ type: 'field_equals', field: '__proto__', value: '' }]), facts)).toBe(true);
  });
});
