import { useI18n } from 'vue-i18n';
import type { UiError } from '../api/ui-error';

/** Turns a {@link UiError} into a sentence in the current language: known codes are translated, others keep the server's message. */
export function useErrorText() {
  const { t, te } = useI18n();
  return (error: UiError | null | undefined): string => {
    if (!error) return t('errors.unknown');
    for (const key of [`session.${error.code}`, `errors.${error.code}`]) {
      if (te(key)) return t(key);
    }
    return error.message || t('errors.unknown');
  };
}
