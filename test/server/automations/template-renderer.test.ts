import { describe, expect, it } from 'vitest';
import {
  findUnclosedPlaceholder,
  findUnknownPlaceholders,
  listPlaceholders,
  renderTemplate,
} from '../../../server/automations/template-renderer';

const scope = {
  contact: { firstName: 'דנה\u200F', tags: ['vip', 'לקוח'], customFields: { 'cf-1': 'ערך' } },
  message: { text: 'שלום, אפשר לקבל הצעת מחיר?' },
  changes: 'First name: א → ב',
};

describe('template renderer', () => {
  it('render › plain lookups › values inserted, Hebrew and bidi marks byte for byte', () => {
    const out = renderTemplate('היי {{contact.firstName}}: {{ message.text }} [{{contact.tags}}] {{contact.customFields.cf-1}}\n{{changes}}', scope);
    expect(Buffer.from(out)).toEqual(
      Buffer.from('היי דנה\u200F: שלום, אפשר לקבל הצעת מחיר? [vip, לקוח] ערך\nFirst name: א → ב'),
    );
  });

  it('render › missing values and objects › render empty', () => {
    expect(renderTemplate('[{{contact.lastName}}][{{contact}}][{{nothing.at.all}}]', scope)).toBe('[][][]');
  });

  it('render › prototype and constructor paths › render nothing', () => {
    const evil = ['{{constructor.constructor}}', '{{__proto__}}', '{{contact.__proto__.polluted}}', '{{contact.constructor.name}}', '{{toString}}', '{{contact.tags.length}}'];
    for (const t of evil) expect(renderTemplate(t, scope)).toBe('');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('render › expressions › never evaluated, left empty', () => {
    expect(renderTemplate("{{ process.exit(1) }}{{ 1+1 }}{{ contact['firstName'] }}", scope)).toBe('');
  });

  it('findUnknownPlaceholders › unsafe and unknown names › reported by name', () => {
    const allowed = (p: string) => ['contact.firstName', 'message.text'].includes(p);
    expect(findUnknownPlaceholders('{{contact.firstName}} {{contact.nmae}} {{__proto__}} {{constructor.constructor}} {{a b}}', allowed)).toEqual([
      'contact.nmae',
      '__proto__',
      'constructor.constructor',
      'a b',
    ]);
    expect(listPlaceholders('{{ message.text }}{{message.text}}')).toEqual(['message.text']);
  });

  it('findUnclosedPlaceholder › a {{ without }} › the text after it', () => {
    expect(findUnclosedPlaceholder('hi {{contact.firstName')).toBe('{{contact.firstName');
    expect(findUnclosedPlaceholder('hi {{contact.firstName}}')).toBeNull();
  });
});
