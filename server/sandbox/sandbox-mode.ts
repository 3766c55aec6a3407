import { Router } from 'express';
import { SANDBOX_GHL_PATH, SANDBOX_RESPONDER_PATH, loadSandboxSecrets } from '../config';
import type { Services } from '../container';
import { encryptSsoPayload } from '../security/sso-crypto';
import { createGhlSimulator, type GhlSimulator } from './ghl-simulator/ghl-simulator';
import { createResponderSimulator } from './responder-simulator/responder-simulator';
import { sandboxPageRouter, type SandboxInfo } from './sandbox-page-route';

// Fixed ids so that what SQLite keeps across restarts (links, history) still points at the re-seeded simulator.
const COMPANY_ID = 'sandbox-company';
const LOCATION_ID = 'sandbox-location';
const USER_ID = 'sandbox-user-dana';
const CONTACT_ID = 'sandbox-contact-1';
const RESPONDER_CREDENTIALS = { clientId: '238', clientSecret: 'sandbox-responder-secret', userToken: 'sandbox-user-token' };

export interface Sandbox {
  /** The simulators (under /sandbox-ghl and /sandbox-responder) and the /sandbox page. */
  router: Router;
  ghl: GhlSimulator;
  /** Seeds the simulators and installs the sandbox location through the real OAuth code exchange. */
  bootstrap(): Promise<SandboxInfo>;
}

/**
 * Sandbox mode (SPEC §5): the GHL and Responder Live simulators run inside the app's own server, and a sandbox
 * sub-account is installed through the same code path a marketplace install takes.
 */
export function createSandbox(services: Services): Sandbox {
  const { config } = services;
  const secrets = loadSandboxSecrets(config.dataDir);
  const ghl = createGhlSimulator({
    clientId: config.ghl.clientId,
    clientSecret: config.ghl.clientSecret,
    rateLimit: config.ghl.rateLimit,
    webhookPrivateKeyPem: secrets.webhookPrivateKey,
  });
  const responder = createResponderSimulator({ ...RESPONDER_CREDENTIALS, accountId: 1000047 });
  responder.addList({ id: 101, name: 'מתעניינים' });
  responder.addList({ id: 102, name: 'לקוחות' });

  let info: SandboxInfo | undefined;
  const bootstrap = async (): Promise<SandboxInfo> => {
    if (!ghl.getLocation(LOCATION_ID)) {
      ghl.addCompany({ id: COMPANY_ID, name: 'Sandbox Agency' });
      ghl.addLocation({ id: LOCATION_ID, companyId: COMPANY_ID, name: 'סוכנות לדוגמה · Sandbox', timezone: 'Asia/Jerusalem' });
      ghl.addUser(LOCATION_ID, { id: USER_ID, firstName: 'Dana', lastName: 'Levi', email: 'dana@sandbox.test', role: 'admin' });
      ghl.addUser(LOCATION_ID, { firstName: 'יוסי', lastName: 'כהן', email: 'yossi@sandbox.test', role: 'user' });
      ghl.addContact(LOCATION_ID, {
        id: CONTACT_ID,
        firstName: 'ישראל',
        lastName: 'ישראלי',
        email: 'israel@example.com',
        phone: '+972541234567',
        assignedTo: USER_ID,
        tags: ['lead'],
      });
    }
    const code = ghl.createAuthCode({ userType: 'Location', companyId: COMPANY_ID, locationId: LOCATION_ID, userId: USER_ID });
    const token = await services.oauth.exchangeCode({ code, redirectUri: `${config.publicUrl}/oauth/callback` });
    await services.installs.storeExchangedToken(token);
    await services.connections.upsertCredentials(LOCATION_ID, RESPONDER_CREDENTIALS);
    const key = await services.connections.ensureWebhookKey(LOCATION_ID);
    info = {
      locationId: LOCATION_ID,
      locationName: 'סוכנות לדוגמה · Sandbox',
      contactId: CONTACT_ID,
      ssoPayload: encryptSsoPayload(
        {
          userId: USER_ID,
          companyId: COMPANY_ID,
          role: 'admin',
          type: 'location',
          userName: 'Dana Levi',
          email: 'dana@sandbox.test',
          activeLocation: LOCATION_ID,
        },
        config.ghl.ssoKey,
      ),
      webhookUrl: `${config.publicUrl}/webhooks/responder/${key}`,
    };
    return info;
  };

  const router = Router();
  router.use(SANDBOX_GHL_PATH, ghl.app);
  router.use(SANDBOX_RESPONDER_PATH, responder.app);
  router.use(
    sandboxPageRouter({
      info: async () => info ?? bootstrap(),
      contact: async (_locationId, contactId) => {
        const contact = ghl.getContact(contactId);
        if (!contact) return null;
        return {
          name: [contact.firstName, contact.lastName].filter(Boolean).join(' '),
          email: contact.email ?? null,
          phone: contact.phone ?? null,
          tags: contact.tags ?? [],
          notes: ghl.getNotes(contactId).map((n) => ({ id: n.id, body: n.body, dateAdded: n.dateAdded })),
          tasks: ghl.getTasks(contactId).map((t) => ({ id: t.id, title: t.title, dueDate: t.dueDate, completed: t.completed })),
        };
      },
    }),
  );
  return { router, ghl, bootstrap };
}
