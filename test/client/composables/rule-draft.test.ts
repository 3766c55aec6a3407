import { describe, expect, it } from 'vitest';
import { ActionSchema, ConditionSchema, AutomationRuleSchema } from '../../../shared/contracts/rules';
import {
  ACTION_TYPES,
  CONDITION_TYPES,
  blankAction,
  blankCondition,
  blankRule,
  errorsAt,
  errorsForRule,
  linesOf,
  moved,
  normalizePath,
} from '../../../client/src/composables/rule-draft';
import { ruleEditorEn, ruleEditorHe } from '../../../client/src/i18n/rule-editor-messages';

function keysOf(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keysOf(v, prefix ? `${prefix}.${k}` : k));
}

describe('rule-draft', () => {
  it('normalizePath › zod dotted indexes › become brackets like the rule validator', () => {
    expect(normalizePath('rules.2.actions.0.body')).toBe('rules[2].actions[0].body');
    expect(normalizePath('rules[2].conditions.items[1].field')).toBe('rules[2].conditions.items[1].field');
    expect(normalizePath('rules.10.actions.3.tags.1')).toBe('rules[10].actions[3].tags[1]');
  });

  it('errorsForRule › details of several rules › keeps only this rule, paths made local', () => {
    const details = [
      { path: 'rules[2].actions[0].body', message: 'unknown placeholder {{x}}' },
      { path: 'rules.2.actions.0.body', message: 'Too big' },
      { path: 'rules[20].name', message: 'other rule' },
      { path: 'rules[2]', message: 'whole rule' },
      { path: 'rules[2].actions[0].tags[1]', message: 'empty tag' },
      'not an issue',
    ];

    const errors = errorsForRule(details, 'rules[2]');

    expect(errors).toEqual({
      'actions[0].body': ['unknown placeholder {{x}}', 'Too big'],
      '': ['whole rule'],
      'actions[0].tags[1]': ['empty tag'],
    });
    expect(errorsAt(errors, 'actions[0].tags')).toEqual(['empty tag']);
    expect(errorsForRule(undefined, 'rule')).toEqual({});
  });

  it('blank rule, actions and conditions › each type › has the shape of the contract once filled', () => {
    expect(AutomationRuleSchema.safeParse({ ...blankRule(), name: 'x', actions: [{ type: 'add_note', body: 'b' }] }).success).toBe(true);
    for (const type of ACTION_TYPES) expect(blankAction(type).type).toBe(type);
    for (const type of CONDITION_TYPES) expect(blankCondition(type).type).toBe(type);
    expect(ActionSchema.safeParse(blankAction('set_dnd')).success).toBe(true);
    expect(ConditionSchema.safeParse(blankCondition('text_matches_keywords')).success).toBe(true);
  });

  it('moved and linesOf › edge cases › keep order at the ends; drop blank lines, keep Hebrew', () => {
    expect(moved(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moved(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(linesOf(' לקוח חם \n\n vip')).toEqual(['לקוח חם', 'vip']);
  });

  it('rule editor messages › Hebrew › same keys as English, and translated', () => {
    expect(keysOf(ruleEditorHe).sort()).toEqual(keysOf(ruleEditorEn).sort());
    expect(ruleEditorHe.list.add).toBe('הוספת כלל');
  });
});
