import { afterEach, describe, expect, it, vi } from 'vitest';
import { createI18n } from 'vue-i18n';
import { en } from '../../../client/src/i18n/en';
import { he } from '../../../client/src/i18n/he';
import { compilePanelMessage } from '../../../client/src/i18n/message-compiler';
import { ruleEditorEn, ruleEditorHe } from '../../../client/src/i18n/rule-editor-messages';
import { settingsEn, settingsHe } from '../../../client/src/i18n/settings-messages';

type Catalogue = typeof en | typeof ruleEditorEn | typeof settingsEn;

function leaves(value: unknown, prefix = ''): [string, string][] {
  if (typeof value === 'string') return [[prefix, value]];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

/** Renders every text of `messages` with placeholder values and, for plural texts, several counts. */
function renderAll(messages: Catalogue, locale: string, useCompiler: boolean): Record<string, string> {
  const i18n = createI18n({
    legacy: false,
    locale,
    messages: { [locale]: messages },
    ...(useCompiler ? { messageCompiler: compilePanelMessage } : {}),
  });
  const { t } = i18n.global;
  const out: Record<string, string> = {};
  for (const [key, text] of leaves(messages)) {
    const named = Object.fromEntries([...text.matchAll(/\{\s*([\w$-]+)\s*\}/g)].map((m) => [m[1]!, `<${m[1]}>`]));
    if (text.includes('|')) for (const n of [0, 1, 2, 7]) out[`${key}#${n}`] = t(key, { ...named, n }, n);
    else out[key] = t(key, named);
  }
  return out;
}

const catalogues: [string, string, Catalogue][] = [
  ['en', 'en', en],
  ['he', 'he', he],
  ['rule editor en', 'en', ruleEditorEn],
  ['rule editor he', 'he', ruleEditorHe],
  ['settings en', 'en', settingsEn],
  ['settings he', 'he', settingsHe],
];

describe('compilePanelMessage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it.each(catalogues)('compilePanelMessage › every %s text › renders as vue-i18n’s own compiler renders it', (_name, locale, messages) => {
    const ours = renderAll(messages, locale, true);
    // The build drops vue-i18n's compiler (vite.config.ts define); the reference needs it back.
    vi.stubGlobal('__INTLIFY_DROP_MESSAGE_COMPILER__', false);
    const reference = renderAll(messages, locale, false);

    expect(ours).toEqual(reference);
    expect(Object.values(ours).some((s) => s.includes('{') || s.includes('|'))).toBe(false);
  });

  it('compilePanelMessage › plural text › picks the case by count and fills {n}', () => {
    const i18n = createI18n({
      legacy: false,
      locale: 'en',
      messages: { en: { items: 'none | one item | {n} items' } },
      messageCompiler: compilePanelMessage,
    });

    expect([0, 1, 4].map((n) => i18n.global.t('items', n))).toEqual(['none', 'one item', '4 items']);
  });

  it('compilePanelMessage › syntax outside {name} and plural pipes › is refused, naming the text', () => {
    const context = { key: 'k', locale: 'en' };

    for (const text of ['See @:common.save', "Literal {'{'}", 'List {0}', 'Back\\slash', 'Open { brace']) {
      expect(() => compilePanelMessage(text, context), text).toThrow(/Unsupported message syntax/);
    }
    expect(() => compilePanelMessage('Reason: { reason }', context)).not.toThrow();
  });
});
