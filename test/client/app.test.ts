import { createTestingPinia } from '@pinia/testing';
import { mount, RouterLinkStub } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import App from '../../client/src/App.vue';
import { useSessionStore } from '../../client/src/stores/session-store';
import type { SessionStatus } from '../../client/src/stores/session-store';
import { testI18n } from './support/panel-test-kit';

function mountApp(session: { status: SessionStatus; error?: { code: string; message: string }; role?: 'admin' | 'user' }) {
  const pinia = createTestingPinia({
    createSpy: vi.fn,
    initialState: {
      session: {
        status: session.status,
        error: session.error ?? null,
        user: session.role ? { id: 'u', name: 'U', email: 'u@x', role: session.role } : null,
        location: session.role ? { id: 'l', name: 'L', timezone: 'UTC', status: 'active' } : null,
      },
    },
  });
  const wrapper = mount(App, {
    global: { plugins: [pinia, testI18n()], stubs: { RouterLink: RouterLinkStub, RouterView: { template: '<p class="view">view</p>' } } },
  });
  return { wrapper, session: useSessionStore(pinia) };
}

describe('App', () => {
  it('App › handshake running › shows the connecting status, no view yet', () => {
    const { wrapper } = mountApp({ status: 'pending' });

    expect(wrapper.get('[role="status"]').text()).toContain('Connecting to GoHighLevel');
    expect(wrapper.find('.view').exists()).toBe(false);
  });

  it('App › opened outside GHL › explains to open it inside GoHighLevel, without a pointless retry', () => {
    const { wrapper } = mountApp({ status: 'error', error: { code: 'not_in_ghl', message: 'x' } });

    expect(wrapper.get('[role="alert"]').text()).toContain('Open this page inside GoHighLevel');
    expect(wrapper.find('[role="alert"] button').exists()).toBe(false);
  });

  it('App › handshake timed out › offers retry, which restarts the session', async () => {
    const { wrapper, session } = mountApp({ status: 'error', error: { code: 'handshake_timeout', message: 'x' } });

    await wrapper.get('[role="alert"] button').trigger('click');

    expect(session.start).toHaveBeenCalledTimes(1);
  });

  it('App › ready as a user › shows the view and nav without Settings', () => {
    const { wrapper } = mountApp({ status: 'ready', role: 'user' });

    expect(wrapper.find('.view').exists()).toBe(true);
    const links = wrapper.findAllComponents(RouterLinkStub).map((l) => l.props('to'));
    expect(links).toEqual(['/app', '/app/activity']);
  });

  it('App › ready as an admin › nav includes Settings', () => {
    const { wrapper } = mountApp({ status: 'ready', role: 'admin' });

    expect(wrapper.findAllComponents(RouterLinkStub).map((l) => l.props('to'))).toContain('/app/settings');
  });
});
