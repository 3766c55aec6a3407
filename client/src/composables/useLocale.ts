import { computed, ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { setLocale, type LocaleHost, type PanelLocale } from '../i18n/i18n';

/** The panel language (global) and a switch that loads its texts and flips `<html dir>`. Kept in memory only. */
export function useLocale() {
  const composer = useI18n({ useScope: 'global' });
  const current = computed(() => composer.locale.value as PanelLocale);
  const switching = ref(false);
  async function change(next: PanelLocale): Promise<void> {
    switching.value = true;
    try {
      await setLocale(composer as unknown as LocaleHost, next);
    } finally {
      switching.value = false;
    }
  }
  return { locale: current, switching, change };
}
