import { createTestingPinia } from '@pinia/testing';
import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import TimelineMessage from '../../../client/src/components/TimelineMessage.vue';
import { formatInZone } from '../../../client/src/composables/useDateTime';
import type { Message } from '../../../shared/contracts/messages';
import { message } from '../support/message-factory';
import { testI18n } from '../support/panel-test-kit';

function mountMessage(msg: Message, timezone = 'Asia/Jerusalem', locale: 'en' | 'he' = 'en') {
  const pinia = createTestingPinia({
    createSpy: vi.fn,
    initialState: { session: { location: { id: 'l1', name: 'L', timezone, status: 'active' } } },
  });
  return mount(TimelineMessage, { props: { message: msg }, global: { plugins: [pinia, testI18n(locale)] } });
}

describe('TimelineMessage', () => {
  it('TimelineMessage › Hebrew message › text is intact byte for byte inside dir="auto"', () => {
    const text = 'שלום דנה,\nתודה על ההרשמה! 🎉 קוד: ABC-123';
    const wrapper = mountMessage(message({ subject: 'ברוכים הבאים', text }));

    const autoDir = wrapper.findAll('[dir="auto"]');
    expect(autoDir.length).toBeGreaterThanOrEqual(2);
    const body = wrapper.get('.msg__text');
    expect(body.attributes('dir')).toBe('auto');
    expect(body.element.textContent).toBe(text);
    expect(wrapper.get('.msg__subject').element.textContent).toBe('ברוכים הבאים');
    expect(wrapper.get('.msg__content').attributes('dir')).toBe('auto');
  });

  it('TimelineMessage › channel and direction › shows both labels', () => {
    const wrapper = mountMessage(message({ channel: 'whatsapp', direction: 'outbound', eventType: 'message.sent' }));

    expect(wrapper.get('.msg__channel').text()).toContain('WhatsApp');
    expect(wrapper.text()).toContain('Sent');
    expect(wrapper.text()).toContain('Message sent');
    expect(wrapper.classes()).toContain('msg--outbound');
  });

  it('TimelineMessage › list event without channel › labelled as a list event with the list name', () => {
    const wrapper = mountMessage(
      message({ eventType: 'subscriber.joined', channel: null, direction: null, subject: null, text: null, listName: 'לקוחות' }),
    );

    expect(wrapper.text()).toContain('List event');
    expect(wrapper.text()).toContain('Joined a list');
    expect(wrapper.text()).toContain('List: לקוחות');
  });

  it('TimelineMessage › time › formatted in the location time zone, not the browser one', () => {
    const occurredAt = '2024-05-01T21:30:00.000Z';
    const jerusalem = mountMessage(message({ occurredAt }), 'Asia/Jerusalem');
    const newYork = mountMessage(message({ occurredAt }), 'America/New_York');

    // 21:30Z is 00:30 on May 2 in Jerusalem (UTC+3 in summer) and 17:30 on May 1 in New York.
    expect(jerusalem.get('time').text()).toBe(formatInZone(occurredAt, 'en', 'Asia/Jerusalem'));
    expect(jerusalem.get('time').text()).toMatch(/May 2, 2024.*12:30/);
    expect(newYork.get('time').text()).toMatch(/May 1, 2024.*5:30/);
    expect(jerusalem.get('time').attributes('datetime')).toBe(occurredAt);
  });

  it('TimelineMessage › Hebrew UI › labels and time come in Hebrew', () => {
    const wrapper = mountMessage(message({ channel: 'email', direction: 'inbound' }), 'Asia/Jerusalem', 'he');

    expect(wrapper.text()).toContain('אימייל');
    expect(wrapper.text()).toContain('התקבלה');
    expect(wrapper.get('time').text()).toContain('במאי');
  });

  it('TimelineMessage › link › only http(s) links become clickable', () => {
    const safe = mountMessage(message({ url: 'https://example.com/x' }));
    const evil = mountMessage(message({ url: 'javascript:alert(1)' }));

    expect(safe.get('a').attributes('href')).toBe('https://example.com/x');
    expect(safe.get('a').attributes('rel')).toContain('noopener');
    expect(evil.find('a').exists()).toBe(false);
  });
});

describe('formatInZone', () => {
  it('formatInZone › unknown zone › falls back instead of throwing', () => {
    expect(formatInZone('2024-05-01T09:30:00.000Z', 'en', 'Not/AZone')).toMatch(/2024/);
  });

  it('formatInZone › not a date › returns the input', () => {
    expect(formatInZone('nope', 'en', 'UTC')).toBe('nope');
  });
});
