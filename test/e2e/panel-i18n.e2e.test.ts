import { readFileSync } from 'node:fs';
import type { Frame } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { en } from '../../client/src/i18n/en';
import { he } from '../../client/src/i18n/he';
import { nonce, pathOf, screenshotPath, useSandboxHarness, type PageGlobals, type SandboxSession } from './sandbox-session';

const CONTACT_NAME = 'ישראל ישראלי';

const documentLocale = (frame: Frame) =>
  frame.evaluate(() => {
    const { documentElement } = (globalThis as unknown as PageGlobals).document;
    return { dir: documentElement.dir, lang: documentElement.lang };
  });
const fontsReady = (frame: Frame) =>
  frame.evaluate(() => (globalThis as unknown as PageGlobals).document.fonts.ready.then(() => true));

describe('panel languages and screenshots', () => {
  const harness = useSandboxHarness();

  /** Sends a Hebrew reply through the real webhook, as the sandbox form does, and waits until GHL has its note. */
  async function seedMessage(text: string): Promise<void> {
    const body = new URLSearchParams({
      'שם מלא': CONTACT_NAME,
      אימייל: 'israel@example.com',
      טלפון: '054-1234567',
      ערוץ: 'sms',
      הודעה: text,
      רשימה: 'מתעניינים',
    });
    const res = await fetch(`${harness.app.info.webhookUrl}?event=message.replied`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: body.toString(),
    });
    expect(res.status).toBe(200);
    await expect
      .poll(() => harness.app.ghl.getNotes(harness.app.info.contactId).some((n) => n.body.includes(text)))
      .toBe(true);
  }

  /** Waits until both the host page and the panel show their data, so a screenshot shows the real thing. */
  async function settle(s: SandboxSession, texts: typeof en, messageText: string): Promise<void> {
    await s.panel.getByRole('heading', { level: 1, name: CONTACT_NAME }).waitFor();
    await s.panel.getByRole('list', { name: texts.timeline.title }).getByText(messageText, { exact: true }).waitFor();
    await s.page.locator('#contact-notes li', { hasText: messageText }).waitFor();
    const panelFrame = await s.panelFrame();
    await Promise.all([fontsReady(s.page.mainFrame()), fontsReady(panelFrame)]);
  }

  it('?lang=he › sandbox page opened in Hebrew › the whole panel document is RTL with Hebrew labels', async () => {
    const s = await harness.open({ lang: 'he' });

    await s.panel.getByRole('heading', { level: 1, name: CONTACT_NAME }).waitFor();

    expect(await documentLocale(await s.panelFrame())).toEqual({ dir: 'rtl', lang: 'he' });
    const tabs = s.panel.getByRole('tablist', { name: he.contact.tabsLabel });
    const first = tabs.getByRole('tab', { name: he.contact.tabs.timeline });
    const second = tabs.getByRole('tab', { name: he.contact.tabs.notes });
    await first.waitFor();
    // Mirrored layout, not only translated words: the first tab sits to the right of the second.
    const [a, b] = await Promise.all([first.boundingBox(), second.boundingBox()]);
    expect(a!.x).toBeGreaterThan(b!.x);
    await s.panel.getByRole('tab', { name: he.contact.tabs.tasks }).click();
    await s.panel.getByRole('button', { name: he.tasks.form.submit }).waitFor();
    expect(await s.panel.getByText(en.tasks.form.submit).count()).toBe(0);
    expect(s.pageErrors).toEqual([]);
  });

  it('language switch › English panel switched to Hebrew › flips to RTL in place, keeping the session', async () => {
    const s = await harness.open();
    await s.panel.getByRole('heading', { level: 1, name: CONTACT_NAME }).waitFor();
    expect(await documentLocale(await s.panelFrame())).toEqual({ dir: 'ltr', lang: 'en' });

    await s.panel.getByLabel(en.app.language).selectOption('he');

    await s.panel.getByRole('tab', { name: he.contact.tabs.timeline }).waitFor();
    expect(await documentLocale(await s.panelFrame())).toEqual({ dir: 'rtl', lang: 'he' });
    expect(s.posts.filter((r) => pathOf(r) === '/api/session')).toHaveLength(1);
  });

  it('screenshots › sandbox page with the panel at 1280 px and the panel alone at 360 px › saved in English and Hebrew', async () => {
    const text = `שלום, אשמח לקבל פרטים על המבצע ${nonce()} \u200F🙂`;
    await seedMessage(text);

    for (const [lang, texts] of [['en', en], ['he', he]] as const) {
      const wide = await harness.open({ lang, width: 1280, height: 900 });
      await settle(wide, texts, text);
      await wide.page.screenshot({ path: screenshotPath(`sandbox-${lang}-1280`), fullPage: true });

      // GHL's narrow contact sidebar: the same sandbox page, its panel iframe 360 px wide (the panel's viewport).
      await wide.page.addStyleTag({ content: '#panel-frame { width: 360px; height: 800px; min-height: 0 }' });
      await expect.poll(() => wide.panelFrame().then((f) => f.evaluate(() => (globalThis as unknown as PageGlobals).innerWidth))).toBe(360);
      await wide.page.locator('#panel-frame').screenshot({ path: screenshotPath(`panel-${lang}-360`) });
    }

    // Each file is a real PNG (signature + IHDR), written by this run.
    for (const name of ['sandbox-en-1280', 'sandbox-he-1280', 'panel-en-360', 'panel-he-360']) {
      const png = readFileSync(screenshotPath(name));
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      const width = png.readUInt32BE(16);
      expect(width).toBe(name.endsWith('360') ? 360 : 1280);
    }
  });
});
