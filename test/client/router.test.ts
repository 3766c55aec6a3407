import { describe, expect, it } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import { createPanelRouter } from '../../client/src/router';

describe('router', () => {
  it('router › /app?contactId= (custom menu link) › opens that contact, keeping other query keys', async () => {
    const router = createPanelRouter(createMemoryHistory());

    await router.push('/app?contactId=abc123&lang=he');

    expect(router.currentRoute.value.name).toBe('contact');
    expect(router.currentRoute.value.params.contactId).toBe('abc123');
    expect(router.currentRoute.value.fullPath).toBe('/app/contacts/abc123?lang=he');
  });

  it('router › / › is the home view', async () => {
    const router = createPanelRouter(createMemoryHistory());

    await router.push('/?lang=en');

    expect(router.currentRoute.value.name).toBe('home');
    expect(router.currentRoute.value.query.lang).toBe('en');
  });

  it('router › /app/contacts/:contactId › passes the id as a prop', async () => {
    const router = createPanelRouter(createMemoryHistory());

    await router.push('/app/contacts/xyz');

    expect(router.currentRoute.value.matched[0]?.props).toEqual({ default: true });
    expect(router.currentRoute.value.params.contactId).toBe('xyz');
  });

  it('router › unknown path › goes home', async () => {
    const router = createPanelRouter(createMemoryHistory());

    await router.push('/app/nope/really');

    expect(router.currentRoute.value.name).toBe('home');
  });
});
