import { createI18n } from 'vue-i18n';
import { en, type PanelMessages } from './en';
import { compilePanelMessage } from './message-compiler';

export const SUPPORTED_LOCALES = ['en', 'he'] as const;
export type PanelLocale = (typeof SUPPORTED_LOCALES)[number];

const RTL_LOCALES: readonly PanelLocale[] = ['he'];

/** Other languages load on demand, so English users do not download Hebrew texts (and the reverse stays small). */
const loaders: Record<Exclude<PanelLocale, 'en'>, () => Promise<PanelMessages>> = {
  he: () => import('./he').then((m) => m.he),
};

function asLocale(value: string | null | undefined): PanelLocale | undefined {
  const base = value?.toLowerCase().split(/[-_]/)[0];
  // `iw` is the legacy code some browsers still report for Hebrew.
  if (base === 'iw') return 'he';
  return SUPPORTED_LOCALES.find((l) => l === base);
}

export function isLocale(value: string): value is PanelLocale {
  return (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

/** `?lang=` wins, then the browser's languages in order, else English. */
export function detectLocale(search: string, languages: readonly string[]): PanelLocale {
  const fromQuery = asLocale(new URLSearchParams(search).get('lang'));
  if (fromQuery) return fromQuery;
  for (const language of languages) {
    const locale = asLocale(language);
    if (locale) return locale;
  }
  return 'en';
}

/** The panel's vue-i18n instance (Composition API mode), English loaded; see {@link loadLocale} for others. */
export function createPanelI18n() {
  return createI18n({
    legacy: false,
    locale: 'en',
    fallbackLocale: 'en',
    messages: { en } as Record<PanelLocale, PanelMessages>,
    messageCompiler: compilePanelMessage,
  });
}

export type PanelI18n = ReturnType<typeof createPanelI18n>;

/** What switching needs from vue-i18n's global composer (`i18n.global`, or `useI18n({ useScope: 'global' })`). */
export interface LocaleHost {
  readonly availableLocales: readonly string[];
  setLocaleMessage(locale: PanelLocale, messages: PanelMessages): void;
  locale: { value: string };
}

/** Makes sure a locale's messages are registered (imports them the first time). */
export async function loadLocale(host: LocaleHost, locale: PanelLocale): Promise<void> {
  if (locale === 'en' || host.availableLocales.includes(locale)) return;
  host.setLocaleMessage(locale, await loaders[locale]());
}

/**
 * Sets `<html lang dir>` so the whole layout (logical CSS properties, form controls, scrollbars) flips for Hebrew.
 */
export function applyDocumentLocale(locale: PanelLocale, doc: Document = document): void {
  doc.documentElement.lang = locale;
  doc.documentElement.dir = RTL_LOCALES.includes(locale) ? 'rtl' : 'ltr';
}

/** Switches the language in memory (no storage: the iframe may not have any) and flips the document. */
export async function setLocale(host: LocaleHost, locale: PanelLocale): Promise<void> {
  await loadLocale(host, locale);
  host.locale.value = locale;
  applyDocumentLocale(locale);
}
