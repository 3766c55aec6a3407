import { createRouter, createWebHistory, type RouteLocationNormalized, type RouterHistory } from 'vue-router';
import ContactView from './views/ContactView.vue';
import HomeView from './views/HomeView.vue';

/** `/app?contactId=…` (a GHL custom menu link) opens that contact's view; other query keys (lang) are kept. */
export function contactRedirect(to: RouteLocationNormalized) {
  const raw = to.query.contactId;
  const contactId = Array.isArray(raw) ? raw[0] : raw;
  if (typeof contactId !== 'string' || contactId.trim() === '') return true;
  const { contactId: _drop, ...query } = to.query;
  return { name: 'contact', params: { contactId: contactId.trim() }, query, replace: true };
}

/** The panel's routes; Settings and Activity are split into their own chunks to keep the first load small. */
export function createPanelRouter(history: RouterHistory = createWebHistory('/')) {
  return createRouter({
    history,
    routes: [
      { path: '/', redirect: (to) => ({ path: '/app', query: to.query }) },
      { path: '/app', name: 'home', component: HomeView, beforeEnter: contactRedirect },
      { path: '/app/contacts/:contactId', name: 'contact', component: ContactView, props: true },
      { path: '/app/settings', name: 'settings', component: () => import('./views/SettingsView.vue') },
      { path: '/app/activity', name: 'activity', component: () => import('./views/ActivityView.vue') },
      { path: '/:pathMatch(.*)*', redirect: (to) => ({ path: '/app', query: to.query }) },
    ],
  });
}
