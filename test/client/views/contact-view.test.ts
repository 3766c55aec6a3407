import { createTestingPinia } from '@pinia/testing';
import { flushPromises, mount, RouterLinkStub } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { h } from 'vue';
import ContactView from '../../../client/src/views/ContactView.vue';
import SettingsView from '../../../client/src/views/SettingsView.vue';
import { useContactStore } from '../../../client/src/stores/contact-store';
import { useSettingsStore } from '../../../client/src/stores/settings-store';
import { useTimelineStore } from '../../../client/src/stores/timeline-store';
import { contactSummary } from '../support/contact-fixtures';
import { testI18n } from '../support/panel-test-kit';
// The Notes tab is a lazy chunk in ContactView; loading its module here lets the lazy import resolve at once.
import '../../../client/src/components/ContactNotesTab.vue';

// Counts when the Tasks tab's module is first evaluated: it belongs to a lazy chunk, not to the first download.
const tasksTab = vi.hoisted(() => ({ loads: 0 }));
vi.mock('../../../client/src/components/ContactTasksTab.vue', () => {
  tasksTab.loads += 1;
  // `__esModule` tells defineAsyncComponent to take `default` from the mocked module.
  return { __esModule: true, default: { render: () => h('p', { class: 'tasks-probe' }, 'tasks') } };
});

function mountContactView(contact: Record<string, unknown>) {
  const pinia = createTestingPinia({
    createSpy: vi.fn,
    initialState: {
      contact: { contactId: 'c1', ...contact },
      timeline: { status: 'ready', messages: [], nextCursor: null, q: '', channel: null },
      session: { location: { id: 'l', name: 'L', timezone: 'UTC', status: 'active' } },
    },
  });
  const wrapper = mount(ContactView, {
    props: { contactId: 'c1' },
    global: { plugins: [pinia, testI18n()], stubs: { RouterLink: RouterLinkStub, TagEditor: true, TaskForm: true } },
  });
  return { wrapper, contact: useContactStore(pinia), timeline: useTimelineStore(pinia) };
}

describe('ContactView', () => {
  it('ContactView › mounted for a contact › opens it, loads the summary and the timeline', () => {
    const { contact, timeline } = mountContactView({ summaryStatus: 'loading' });

    expect(contact.open).toHaveBeenCalledWith('c1');
    expect(contact.loadSummary).toHaveBeenCalledTimes(1);
    expect(timeline.open).toHaveBeenCalledWith('c1');
  });

  it('ContactView › contact of another location (404) › explains, without a retry button', () => {
    const { wrapper } = mountContactView({
      summaryStatus: 'error',
      summaryError: { code: 'not_found', message: 'Contact not found', status: 404 },
    });

    expect(wrapper.get('[role="alert"]').text()).toContain('This item was not found in this sub-account.');
    expect(wrapper.find('[role="alert"] button').exists()).toBe(false);
  });

  it('ContactView › loaded › header, four tabs, timeline panel first; other panels mount on first visit', async () => {
    const { wrapper } = mountContactView({ summaryStatus: 'ready', summary: contactSummary(), notesStatus: 'ready', notes: [] });

    expect(wrapper.get('h1').text()).toBe('נועה כהן');
    expect(wrapper.findAll('[role="tab"]').map((t) => t.text())).toEqual(['Timeline', 'Notes', 'Tasks', 'Appointments']);
    expect(wrapper.find('#panel-notes textarea').exists()).toBe(false);

    await wrapper.findAll('[role="tab"]')[1]!.trigger('click');
    await flushPromises();

    expect(wrapper.get('#panel-notes textarea').attributes('id')).toBe('note-body');
    expect(wrapper.get('#panel-timeline').isVisible()).toBe(false);
  });
});

describe('ContactView lazy tabs', () => {
  it('ContactView › Tasks tab not yet visited › its code is not loaded; first visit loads and shows it', async () => {
    const { wrapper } = mountContactView({ summaryStatus: 'ready', summary: contactSummary() });
    await flushPromises();

    expect(tasksTab.loads).toBe(0);

    await wrapper.findAll('[role="tab"]')[2]!.trigger('click');
    await flushPromises();

    expect(tasksTab.loads).toBe(1);
    expect(wrapper.get('#panel-tasks .tasks-probe').text()).toBe('tasks');
  });
});

describe('SettingsView', () => {
  it('SettingsView › not an admin › says admins only and never loads settings', () => {
    const pinia = createTestingPinia({
      createSpy: vi.fn,
      initialState: { session: { user: { id: 'u', name: 'U', email: 'u@x', role: 'user' } } },
    });
    const wrapper = mount(SettingsView, { global: { plugins: [pinia, testI18n()] } });

    expect(wrapper.text()).toContain('Admins only');
    expect(useSettingsStore(pinia).load).not.toHaveBeenCalled();
  });

  it('SettingsView › admin › loads the settings', () => {
    const pinia = createTestingPinia({
      createSpy: vi.fn,
      initialState: { session: { user: { id: 'u', name: 'U', email: 'u@x', role: 'admin' } } },
    });
    const wrapper = mount(SettingsView, { global: { plugins: [pinia, testI18n()] } });

    expect(useSettingsStore(pinia).load).toHaveBeenCalledTimes(1);
    expect(wrapper.text()).toContain('Loading settings');
  });
});
