import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { en } from '../../client/src/i18n/en';
import { nonce, pathOf, useSandboxHarness } from './sandbox-session';

const CONTACT_NAME = 'ישראל ישראלי';

describe('sandbox page with the panel', () => {
  const harness = useSandboxHarness();
  const contactId = () => harness.app.info.contactId;

  it('panel in the iframe › page opens › gets its session through the REQUEST_USER_DATA postMessage handshake', async () => {
    const s = await harness.open();

    await s.panel.getByRole('heading', { level: 1, name: CONTACT_NAME }).waitFor();

    const main = s.page.mainFrame();
    const panelFrame = await s.panelFrame();
    expect(await s.messagesReceived(main)).toContainEqual({ message: 'REQUEST_USER_DATA' });
    expect(await s.messagesReceived(panelFrame)).toContainEqual({
      message: 'REQUEST_USER_DATA_RESPONSE',
      payload: harness.app.info.ssoPayload,
    });
    const sessionPosts = s.posts.filter((r) => pathOf(r) === '/api/session');
    expect(sessionPosts).toHaveLength(1);
    expect(sessionPosts[0]!.postDataJSON()).toEqual({ ssoPayload: harness.app.info.ssoPayload });
    expect((await sessionPosts[0]!.response())?.status()).toBe(200);
    expect(s.pageErrors).toEqual([]);
  });

  it('sandbox form › Hebrew Responder message sent › shows in the timeline byte for byte and reaches GHL once', async () => {
    const s = await harness.open();
    await s.panel.getByRole('heading', { level: 1, name: CONTACT_NAME }).waitFor();
    const text = `שלום, אשמח לקבל פרטים על המבצע ${nonce()} \u200F🙂`;

    // The label wraps the prefilled textarea, whose text joins its accessible name: match the start only.
    await s.page.getByRole('textbox', { name: /^הודעה/ }).fill(text);
    await s.page.getByRole('button', { name: 'Send webhook' }).click();

    await expect.poll(() => s.page.locator('#send-result').textContent()).toMatch(/^Stored as /);
    await expect
      .poll(() => harness.app.ghl.getNotes(contactId()).filter((n) => n.body.includes(text)).length)
      .toBe(1);
    // The timeline loads when the panel opens; reopening the page is how a user sees what arrived since.
    await s.page.reload();
    const timeline = s.panel.getByRole('list', { name: en.timeline.title });
    const message = timeline.getByText(text, { exact: true });
    await message.waitFor();
    expect(await message.textContent()).toBe(text);
    expect(await message.getAttribute('dir')).toBe('auto');
    const item = timeline.getByRole('listitem').filter({ hasText: text });
    expect(await item.textContent()).toContain(en.timeline.channels.sms);
    expect(await item.textContent()).toContain(en.timeline.directions.inbound);
    expect(s.pageErrors).toEqual([]);
  });

  it('notes tab › note submitted with a double click › reaches the GHL simulator exactly once', async () => {
    const s = await harness.open();
    const body = `E2E note ${nonce()} · הערה בעברית`;
    await s.panel.getByRole('tab', { name: en.contact.tabs.notes }).click();

    await s.panel.getByLabel(en.notes.formLabel).fill(body);
    await s.panel.getByRole('button', { name: en.notes.submit }).dblclick();

    await s.panel.getByRole('status').filter({ hasText: en.notes.saved }).waitFor();
    await expect.poll(() => s.apiInFlight()).toBe(0);
    const written = harness.app.ghl.getNotes(contactId()).filter((n) => n.body === body);
    expect(written).toHaveLength(1);
    const posted = s.posts.filter((r) => pathOf(r) === `/api/contacts/${contactId()}/notes`);
    expect(new Set(posted.map((r) => r.headers()['idempotency-key'])).size).toBe(1);
    const list = s.panel.getByRole('list', { name: en.notes.title });
    await expect.poll(() => list.getByText(body, { exact: true }).count()).toBe(1);
  });

  it('tasks tab › task with due date and assignee submitted with a double click › reaches GHL exactly once', async () => {
    const s = await harness.open();
    const title = `E2E task ${nonce()} · להתקשר בחזרה`;
    const dueLocal = '2031-05-04T10:30';
    await s.panel.getByRole('tab', { name: en.contact.tabs.tasks }).click();

    await s.panel.getByLabel(en.tasks.form.title, { exact: true }).fill(title);
    await s.panel.getByLabel(en.tasks.form.dueDate).fill(dueLocal);
    const assignee = s.panel.getByLabel(en.tasks.form.assignee);
    await assignee.selectOption({ label: 'יוסי כהן' });
    const assigneeId = await assignee.inputValue();
    await s.panel.getByRole('button', { name: en.tasks.form.submit }).dblclick();

    await s.panel.getByRole('status').filter({ hasText: en.tasks.form.saved }).waitFor();
    await expect.poll(() => s.apiInFlight()).toBe(0);
    const written = harness.app.ghl.getTasks(contactId()).filter((t) => t.title === title);
    expect(written).toHaveLength(1);
    expect(assigneeId).not.toBe('');
    expect(written[0]!.assignedTo).toBe(assigneeId);
    // The due time is read on the location's wall clock (Asia/Jerusalem), whatever the browser's zone.
    const expectedDue = DateTime.fromISO(dueLocal, { zone: harness.app.ghl.getLocation(harness.app.info.locationId)!.timezone });
    expect(Date.parse(written[0]!.dueDate)).toBe(expectedDue.toMillis());
  });
});
