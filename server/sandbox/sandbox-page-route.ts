import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router } from 'express';

/** What the sandbox page shows: the sandbox location's contact, and what the panel needs to start. */
export interface SandboxInfo {
  locationId: string;
  locationName: string;
  contactId: string;
  /** The user context encrypted exactly like GHL's REQUEST_USER_DATA_RESPONSE payload. */
  ssoPayload: string;
  /** The real Responder Live webhook URL of the sandbox location. */
  webhookUrl: string;
}

export interface SandboxContactView {
  name: string;
  email: string | null;
  phone: string | null;
  tags: string[];
  notes: { id: string; body: string; dateAdded?: string }[];
  tasks: { id: string; title: string; dueDate?: string; completed?: boolean }[];
}

const pageDir = path.join(path.dirname(new URL(import.meta.url).pathname), 'page');
const read = (file: string) => readFileSync(path.join(pageDir, file), 'utf8');

/**
 * `/sandbox`: a page that looks like a GHL contact view, hosts the panel in an iframe, answers its
 * REQUEST_USER_DATA like GHL does, and sends Responder Live messages through the real webhook endpoint.
 */
export function sandboxPageRouter(deps: {
  info: () => Promise<SandboxInfo>;
  contact: (locationId: string, contactId: string) => Promise<SandboxContactView | null>;
}): Router {
  const router = Router();
  const html = read('sandbox.html');
  const script = read('sandbox.js');
  const css = read('sandbox.css');

  router.get('/sandbox', async (_req, res) => {
    const info = await deps.info();
    const boot = JSON.stringify(info).replace(/</g, '\\u003c');
    res.type('html').setHeader('Cache-Control', 'no-store');
    res.send(html.replace('__SANDBOX_BOOT__', boot).replaceAll('__LOCATION_NAME__', escapeHtml(info.locationName)));
  });
  router.get('/sandbox/sandbox.js', (_req, res) => res.type('application/javascript').send(script));
  router.get('/sandbox/sandbox.css', (_req, res) => res.type('text/css').send(css));
  router.get('/sandbox/contact.json', async (_req, res) => {
    const info = await deps.info();
    res.setHeader('Cache-Control', 'no-store');
    res.json({ data: await deps.contact(info.locationId, info.contactId) });
  });
  return router;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
