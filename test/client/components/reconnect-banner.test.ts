import { createTestingPinia } from '@pinia/testing';
import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import ReconnectBanner from '../../../client/src/components/ReconnectBanner.vue';
import type { SessionLocation, UserRole } from '../../../shared/contracts/session';
import { testI18n } from '../support/panel-test-kit';

function mountBanner(location: Partial<SessionLocation>, role: UserRole = 'admin', locale: 'en' | 'he' = 'en') {
  const pinia = createTestingPinia({
    createSpy: vi.fn,
    initialState: {
      session: {
        status: 'ready',
        user: { id: 'u', name: 'U', email: 'u@x', role },
        location: { id: 'l1', name: 'L', timezone: 'Asia/Jerusalem', status: 'active', ...location },
      },
    },
  });
  return mount(ReconnectBanner, { global: { plugins: [pinia, testI18n(locale)] } });
}

describe('ReconnectBanner', () => {
  it('ReconnectBanner › active location › renders nothing', () => {
    expect(mountBanner({ status: 'active' }).find('section').exists()).toBe(false);
  });

  it('ReconnectBanner › needs_reconnect › alerts with the reason and a reconnect link for admins', () => {
    const wrapper = mountBanner({ status: 'needs_reconnect', statusReason: 'invalid_grant' });

    const banner = wrapper.get('section[role="alert"]');
    expect(banner.text()).toContain('GoHighLevel connection lost');
    expect(banner.text()).toContain('Reason: invalid_grant');
    expect(banner.get('a').attributes('href')).toBe('/oauth/install');
  });

  it('ReconnectBanner › needs_reconnect for a non-admin › explains without the admin action', () => {
    const wrapper = mountBanner({ status: 'needs_reconnect' }, 'user');

    expect(wrapper.get('section').text()).toContain('An admin needs to reconnect');
    expect(wrapper.find('a').exists()).toBe(false);
  });

  it('ReconnectBanner › uninstalled, Hebrew › says so in Hebrew', () => {
    const wrapper = mountBanner({ status: 'uninstalled' }, 'admin', 'he');

    expect(wrapper.get('section').text()).toContain('האפליקציה אינה מותקנת');
  });
});
