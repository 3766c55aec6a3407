import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { createPanelI18n, detectLocale, setLocale, type LocaleHost } from './i18n/i18n';
import { createPanelRouter } from './router';
import { useSessionStore } from './stores/session-store';
import './styles/base.css';

const i18n = createPanelI18n();
const app = createApp(App);
const pinia = createPinia();
app.use(pinia).use(createPanelRouter()).use(i18n);
// The GHL handshake starts at once, in parallel with loading the language.
void useSessionStore(pinia).start();

const locale = detectLocale(window.location.search, navigator.languages ?? [navigator.language]);
void setLocale(i18n.global as unknown as LocaleHost, locale)
  .catch(() => undefined)
  .finally(() => app.mount('#app'));
