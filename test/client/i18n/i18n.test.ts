import { createTestingPinia } from '@pinia/testing';
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import AppLanguageSwitch from '../../../client/src/components/AppLanguageSwitch.vue';
import { en } from '../../../client/src/i18n/en';
import { he } from '../../../client/src/i18n/he';
import { settingsEn, settingsHe } from '../../../client/src/i18n/settings-messages';
import { applyDocumentLocale, createPanelI18n, detectLocale, setLocale, type LocaleHost } from '../../../client/src/i18n/i18n';
import { settle } from '../support/panel-test-kit';

function keysOf(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keysOf(v, prefix ? `${prefix}.${k}` : k));
}

function leaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Object.values(value as object).flatMap(leaves);
}

describe('i18n', () => {
  afterEach(() => applyDocumentLocale('en'));

  it('detectLocale › ?lang=he › wins over the browser language', () => {
    expect(detectLocale('?contactId=1&lang=he', ['en-US'])).toBe('he');
  });

  it('detectLocale › no query › takes the first supported browser language (iw counts as Hebrew)', () => {
    expect(detectLocale('', ['fr-FR', 'he-IL', 'en'])).toBe('he');
    expect(detectLocale('', ['iw'])).toBe('he');
    expect(detectLocale('', ['fr', 'de'])).toBe('en');
    expect(detectLocale('?lang=xx', ['en-GB'])).toBe('en');
  });

  it('messages › Hebrew › has exactly the English keys, and real Hebrew text', () => {
    expect(keysOf(he).sort()).toEqual(keysOf(en).sort());
    const hebrewLeaves = leaves(he).filter((s) => /[\u0590-\u05FF]/.test(s));
    // Product names (Responder Live, GoHighLevel, Client ID…) stay Latin; the rest is translated.
    expect(hebrewLeaves.length / leaves(he).length).toBeGreaterThan(0.85);
  });

  it('messages › Settings texts › Hebrew has the English keys, and both stay out of the first-load catalogue', () => {
    expect(keysOf(settingsHe).sort()).toEqual(keysOf(settingsEn).sort());
    // They load with the Settings screen; en.ts/he.ts are part of the first download.
    expect(Object.keys(en)).not.toContain('settings');
  });

  it('setLocale › he › loads Hebrew on demand and flips the whole document to RTL', async () => {
    const i18n = createPanelI18n();
    const host = i18n.global as unknown as LocaleHost;

    await setLocale(host, 'he');

    expect(i18n.global.t('contact.tabs.notes')).toBe('הערות');
    expect(document.documentElement.dir).toBe('rtl');
    expect(document.documentElement.lang).toBe('he');
    await setLocale(host, 'en');
    expect(document.documentElement.dir).toBe('ltr');
    expect(document.documentElement.lang).toBe('en');
  });

  it('AppLanguageSwitch › choose עברית › UI text and <html dir> switch', async () => {
    const i18n = createPanelI18n();
    const pinia = createTestingPinia({ createSpy: vi.fn });
    const wrapper = mount(
      { components: { AppLanguageSwitch }, template: '<div><AppLanguageSwitch /><p class="probe">{{ $t("app.nav.home") }}</p></div>' },
      { global: { plugins: [pinia, i18n] } },
    );
    expect(wrapper.get('.probe').text()).toBe('Contacts');

    await wrapper.get('select').setValue('he');
    await settle();

    expect(wrapper.get('.probe').text()).toBe('אנשי קשר');
    expect(document.documentElement.getAttribute('dir')).toBe('rtl');
    expect(document.documentElement.getAttribute('lang')).toBe('he');
    expect(window.localStorage.length + window.sessionStorage.length).toBe(0);
  });
});
