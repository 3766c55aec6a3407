import { useI18n } from 'vue-i18n';
import { compilePanelMessage } from '../i18n/message-compiler';
import { ruleEditorEn, ruleEditorHe } from '../i18n/rule-editor-messages';

/**
 * `t` for the rules editor's texts (a local vue-i18n scope that follows the global locale and falls back to the
 * global messages for shared keys such as `common.*`). Kept out of en.ts so the first download stays small.
 */
export function useRuleEditorText() {
  const { t } = useI18n({
    useScope: 'local',
    inheritLocale: true,
    messages: { en: ruleEditorEn, he: ruleEditorHe },
    // A local scope does not inherit the global compiler.
    messageCompiler: compilePanelMessage,
  });
  return t;
}
