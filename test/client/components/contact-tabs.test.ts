import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import ContactTabs from '../../../client/src/components/ContactTabs.vue';
import { applyDocumentLocale } from '../../../client/src/i18n/i18n';

const tabs = [
  { id: 'timeline', label: 'Timeline' },
  { id: 'notes', label: 'Notes' },
  { id: 'tasks', label: 'Tasks' },
];

function mountTabs(active = 'timeline') {
  return mount(ContactTabs, {
    props: { tabs, label: 'Sections', modelValue: active, 'onUpdate:modelValue': () => undefined },
    attachTo: document.body,
  });
}

describe('ContactTabs', () => {
  afterEach(() => {
    applyDocumentLocale('en');
    document.body.innerHTML = '';
  });

  it('ContactTabs › roles › tablist with one selected, focusable tab', () => {
    const wrapper = mountTabs('notes');

    const buttons = wrapper.findAll('[role="tab"]');
    expect(wrapper.get('[role="tablist"]').attributes('aria-label')).toBe('Sections');
    expect(buttons.map((b) => b.attributes('aria-selected'))).toEqual(['false', 'true', 'false']);
    expect(buttons.map((b) => b.attributes('tabindex'))).toEqual(['-1', '0', '-1']);
    expect(buttons[1]!.attributes('aria-controls')).toBe('panel-notes');
  });

  it('ContactTabs › ArrowRight, End, Home in LTR › select next, last, first (wrapping)', async () => {
    const wrapper = mountTabs('timeline');
    const first = wrapper.findAll('[role="tab"]')[0]!;

    await first.trigger('keydown', { key: 'ArrowRight' });
    await first.trigger('keydown', { key: 'End' });
    await first.trigger('keydown', { key: 'ArrowLeft' });

    expect(wrapper.emitted('update:modelValue')).toEqual([['notes'], ['tasks'], ['tasks']]);
  });

  it('ContactTabs › ArrowLeft in RTL › moves to the next tab (arrows follow the visual order)', async () => {
    applyDocumentLocale('he');
    const wrapper = mountTabs('timeline');

    await wrapper.findAll('[role="tab"]')[0]!.trigger('keydown', { key: 'ArrowLeft' });

    expect(wrapper.emitted('update:modelValue')).toEqual([['notes']]);
  });
});
