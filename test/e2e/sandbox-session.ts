import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Browser, BrowserContext, Frame, FrameLocator, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { launchChromium } from './browser';
import { startE2eApp, type E2eApp } from './e2e-app';

/**
 * The few browser globals the tests touch inside pages (`page.evaluate`), typed by hand because the node
 * tsconfig has no DOM lib. Use as `(globalThis as unknown as PageGlobals)` inside the evaluated function.
 */
export interface PageGlobals {
  document: { documentElement: { dir: string; lang: string }; fonts: { ready: Promise<unknown> } };
  innerWidth: number;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  __e2eMessages?: unknown[];
}

export interface SandboxSession {
  context: BrowserContext;
  page: Page;
  /** The panel inside the sandbox page's `#panel-frame`. */
  panel: FrameLocator;
  /** Every POST request the page made (any frame), in order. */
  posts: Request[];
  /** Uncaught errors thrown in the page or the panel. */
  pageErrors: Error[];
  /** The `data` of every postMessage a frame received so far. */
  messagesReceived(frame: Frame): Promise<unknown[]>;
  /** Resolves the panel's Frame (for `evaluate` inside it). */
  panelFrame(): Promise<Frame>;
  /** How many `/api/*` requests of the panel are still open (0 → nothing more can reach the simulator). */
  apiInFlight(): number;
}

export interface OpenOptions {
  lang?: 'en' | 'he';
  width?: number;
  height?: number;
}

/**
 * One app and one Chromium per test file (started in beforeAll, closed in afterAll), and a fresh browser
 * context per `open()`, closed after each test.
 */
export function useSandboxHarness() {
  let app: E2eApp | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startE2eApp({ panelDir: inject('panelDir') }), launchChromium()]);
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const current = () => {
    if (!app || !browser) throw new Error('The e2e harness did not start');
    return { app, browser };
  };

  /**
   * Opens `/sandbox` (optionally `?lang=`) in a new context: an English browser in light mode, on a clock far from
   * the sandbox location's Asia/Jerusalem, so anything shown or sent in the wrong zone shows up.
   */
  async function open(options: OpenOptions = {}): Promise<SandboxSession> {
    const { app: a, browser: b } = current();
    const context = await b.newContext({
      viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
      locale: 'en-US',
      colorScheme: 'light',
      timezoneId: 'America/New_York',
    });
    contexts.push(context);
    const page = await context.newPage();
    const posts: Request[] = [];
    const pageErrors: Error[] = [];
    const inFlight = new Set<Request>();
    page.on('pageerror', (err) => pageErrors.push(err));
    page.on('request', (req) => {
      if (pathOf(req).startsWith('/api/')) inFlight.add(req);
      if (req.method() === 'POST') posts.push(req);
    });
    page.on('requestfinished', (req) => inFlight.delete(req));
    page.on('requestfailed', (req) => inFlight.delete(req));
    // Every frame records the postMessages it receives, so a test can show the handshake really happened.
    await page.addInitScript(() => {
      const win = globalThis as unknown as PageGlobals;
      const seen: unknown[] = [];
      win.__e2eMessages = seen;
      win.addEventListener('message', (event) => seen.push(event.data));
    });

    await page.goto(`${a.baseUrl}/sandbox${options.lang ? `?lang=${options.lang}` : ''}`);
    const panel = page.frameLocator('#panel-frame');
    return {
      context,
      page,
      panel,
      posts,
      pageErrors,
      panelFrame: async () => {
        const handle = await page.locator('#panel-frame').elementHandle();
        const frame = await handle?.contentFrame();
        if (!frame) throw new Error('The panel iframe has no frame');
        return frame;
      },
      apiInFlight: () => inFlight.size,
      messagesReceived: (frame) => frame.evaluate(() => (globalThis as unknown as PageGlobals).__e2eMessages ?? []),
    };
  }

  return {
    get app() {
      return current().app;
    },
    open,
  };
}

/** The pathname of a request's URL (`/api/session`). */
export function pathOf(req: Request): string {
  return new URL(req.url()).pathname;
}

/** A short random tag that makes a test's note, task or message text its own. */
export function nonce(): string {
  return randomBytes(3).toString('hex');
}

/** Where a screenshot of this run goes: `test-results/screenshots/<name>.png`. */
export function screenshotPath(name: string): string {
  return path.join(inject('screenshotDir'), `${name}.png`);
}
