import { describe, expect, it } from 'vitest';
import { defaultRules } from '../../../server/automations/default-rules';
import { validateRules } from '../../../server/automations/rule-validation';

const base = { id: 'r1', name: 'Rule', enabled: true };

describe('rule validation', () => {
  it('default rules › validated › accepted', () => {
    expect(validateRules(defaultRules())).toMatchObject({ ok: true });
  });

  it('bad placeholder › in a note body › refused naming the path and the placeholder', () => {
    const rules = [
      ...defaultRules().slice(0, 2),
      { ...base, trigger: { source: 'ghl', event: 'ContactUpdate' }, actions: [{ type: 'add_note', body: 'היי {{contact.nmae}} {{changes}}' }] },
    ];
    expect(validateRules(rules)).toEqual({
      ok: false,
      errors: [{ path: 'rules[2].actions[0].body', message: 'unknown placeholder {{contact.nmae}}' }],
    });
  });

  it('unknown field › in a condition › refused naming the field', () => {
    const result = validateRules([
      {
        ...base,
        trigger: { source: 'responder', event: 'message.replied' },
        conditions: { mode: 'all', items: [{ type: 'field_equals', field: 'message.txt', value: 'x' }] },
        actions: [{ type: 'add_note', body: '{{message.text}}' }],
      },
    ]);
    expect(result).toEqual({
      ok: false,
      errors: [{ path: 'rules[0].conditions.items[0].field', message: 'unknown field "message.txt" for trigger message.replied' }],
    });
  });

  it('trigger mismatch › message placeholder on a GHL trigger, upsert_contact on GHL, GHL write on delete › each refused', () => {
    const result = validateRules([
      { ...base, id: 'a', trigger: { source: 'ghl', event: 'NoteCreate' }, actions: [{ type: 'add_tags', tags: ['{{message.text}}'] }] },
      { ...base, id: 'b', trigger: { source: 'ghl', event: 'ContactUpdate' }, actions: [{ type: 'upsert_contact' }] },
      { ...base, id: 'c', trigger: { source: 'ghl', event: 'ContactDelete' }, actions: [{ type: 'add_note', body: 'x' }] },
      {
        ...base,
        id: 'd',
        trigger: { source: 'responder', event: 'message.sent' },
        conditions: { mode: 'any', items: [{ type: 'tag_added', tag: 'x' }] },
        actions: [{ type: 'add_note', body: '{{unclosed' }],
      },
    ]);
    expect(result.ok).toBe(false);
    const paths = !result.ok ? result.errors.map((e) => e.path) : [];
    expect(paths).toEqual([
      'rules[0].actions[0].tags[0]',
      'rules[1].actions[0].type',
      'rules[2].actions[0].type',
      'rules[3].conditions.items[0].type',
      'rules[3].actions[0].body',
    ]);
  });

  it('shape errors › wrong types and duplicate ids › zod paths in bracket form', () => {
    const shape = validateRules([{ ...base, trigger: { source: 'ghl', event: 'Nope' }, actions: [] }]);
    expect(shape.ok).toBe(false);
    expect(!shape.ok && shape.errors.map((e) => e.path)).toEqual(['rules[0].trigger.event', 'rules[0].actions']);
    const dup = validateRules([defaultRules()[0], defaultRules()[0]]);
    expect(!dup.ok && dup.errors).toEqual([{ path: 'rules[1].id', message: 'duplicate rule id "seed-responder-contact" (also rules[0])' }]);
  });
});
