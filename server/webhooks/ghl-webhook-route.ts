import { createHash } from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config';
import type { InboxRepository } from '../db/repositories/inbox-repository';
import { AppError, tooManyRequests } from '../errors';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { GhlSignatureVerifier } from './ghl-signature';

export interface GhlWebhookRouterDeps {
  config: Config;
  logger: Logger;
  inbox: Pick<InboxRepository, 'insert'>;
  metrics?: Pick<Metrics, 'eventsReceived'>;
  now?: () => number;
}

/** GHL's replay guidance: reject a `timestamp` outside a window "(e.g., 5 minutes)" (WebhookAuthentication.md). */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * The fields the route itself needs; the rest of the payload is kept as-is for the handlers
 * (ghl-webhooks/*.json; `webhookId`/`timestamp` per the SDK's webhook types, ghl-platform.md §2.2–2.3).
 */
const GhlWebhookEnvelope = z.looseObject({
  type: z.string().min(1).max(100),
  webhookId: z.string().min(1).max(200).optional(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  appId: z.string().optional(),
  locationId: z.string().min(1).max(100).optional(),
  companyId: z.string().min(1).max(100).optional(),
  id: z.string().optional(),
  contactId: z.string().optional(),
});
type GhlWebhookEnvelope = z.infer<typeof GhlWebhookEnvelope>;

/** App lifecycle events, stored without a location (see ghlInboxFields). */
export const GHL_LIFECYCLE_TYPES = new Set(['INSTALL', 'UNINSTALL']);

/** Types the app has (or will have) work for; anything else is stored as `ignored` history (SPEC §3). */
export function isHandledGhlType(type: string): boolean {
  return GHL_LIFECYCLE_TYPES.has(type) || type === 'LocationUpdate' || /^(Contact|Note|Task)[A-Z]\w*$/.test(type);
}

/**
 * `POST /webhooks/ghl`: verify the signature over the raw bytes → check freshness and app → store in the inbox
 * → 200. Nothing is stored before the signature checks out; when storing fails the answer is 429, the only
 * status GHL retries (ghl-platform.md §2.4).
 */
export function ghlWebhookRouter(deps: GhlWebhookRouterDeps): Router {
  const { config } = deps;
  const now = deps.now ?? Date.now;
  const verifier = new GhlSignatureVerifier({
    ed25519PublicKeyPem: config.ghl.webhookPublicKey,
    rsaPublicKeyPem: config.ghl.webhookRsaPublicKey,
  });
  const count = (outcome: string) => deps.metrics?.eventsReceived.inc({ source: 'ghl', outcome });
  const router = express.Router();

  router.post('/webhooks/ghl', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    // express.raw leaves the body alone when an app-wide parser already read it; such a parser must then
    // keep the bytes in req.rawBody (see request-context.ts), or every signature fails.
    const raw = Buffer.isBuffer(req.body) ? (req.body as Buffer) : (req.rawBody ?? Buffer.alloc(0));
    req.rawBody = raw;
    const scheme = verifier.verify(raw, { ghl: req.get('x-ghl-signature'), wh: req.get('x-wh-signature') });
    if (!scheme) {
      count('rejected');
      throw new AppError(401, 'invalid_signature', 'Missing or invalid webhook signature');
    }

    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      count('rejected');
      throw new AppError(400, 'invalid_json', 'Request body is not valid JSON');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      count('rejected');
      throw new AppError(400, 'invalid_json', 'Request body must be a JSON object');
    }
    const parsed = GhlWebhookEnvelope.safeParse(json);
    const envelope = parsed.success ? parsed.data : undefined;

    const timestamp = (json as { timestamp?: unknown }).timestamp;
    if (timestamp !== undefined && !isFresh(timestamp, now())) {
      count('rejected');
      throw new AppError(401, 'stale_webhook', 'The webhook timestamp is more than 5 minutes away from now');
    }
    const appId = (json as { appId?: unknown }).appId;
    if (appId !== undefined && appId !== config.ghl.appId) {
      // Another app's event (a shared URL, or a misrouted delivery): acknowledged so GHL stops, never stored.
      count('ignored');
      req.log.info({ appId }, 'ghl webhook for another app ignored');
      res.json({ ok: true, ignored: true });
      return;
    }

    const fields = envelope
      ? ghlInboxFields(envelope)
      : { locationId: null, eventType: 'unknown', orderingKey: null, status: 'invalid' as const };
    let stored: { id: string; duplicate: boolean };
    try {
      stored = await deps.inbox.insert({
        source: 'ghl',
        ...fields,
        dedupeKey: envelope?.webhookId
          ? `ghl:${envelope.webhookId}`
          : `ghl:h:${createHash('sha256').update(raw).digest('hex')}`,
        payload: json,
        rawPayload: raw.toString('utf8'),
      });
    } catch (err) {
      count('store_failed');
      req.log.error({ err }, 'ghl webhook could not be stored; asking GHL to retry');
      throw tooManyRequests('The event could not be stored; retry later');
    }
    count(stored.duplicate ? 'duplicate' : fields.status === 'pending' ? 'stored' : fields.status);
    // Debug, not info: each stored webhook is already an inbox row (the activity list), and at webhook rates an
    // info line per request was a tenth of the ingest's CPU (bench/ingest-bench.ts). Checked first, so that no
    // request logger is made (request-context.ts) for a line that would be dropped.
    if (deps.logger.isLevelEnabled('debug')) {
      req.log.debug({ eventId: stored.id, type: fields.eventType, duplicate: stored.duplicate, scheme }, 'ghl webhook stored');
    }
    res.json({ ok: true, eventId: stored.id, duplicate: stored.duplicate });
  });

  return router;
}

/**
 * Where an event goes in the inbox. INSTALL/UNINSTALL are stored without a location: the worker must run them
 * even while the location is parked (not installed yet, or uninstalled), and UNINSTALL's cancelling of the
 * location's pending work must not cancel a reinstall's INSTALL. They are ordered per location (or company).
 * Contact/Note/Task events are ordered per contact.
 */
export function ghlInboxFields(e: GhlWebhookEnvelope): {
  locationId: string | null;
  eventType: string;
  orderingKey: string | null;
  status: 'pending' | 'ignored';
} {
  const status = isHandledGhlType(e.type) ? 'pending' : 'ignored';
  // The activity list shows the type: a blank one (NUL is dropped on storing) from a signed but odd body reads
  // as `unknown`.
  const eventType = e.type.replaceAll('\u0000', '').trim().slice(0, 100) || 'unknown';
  if (GHL_LIFECYCLE_TYPES.has(e.type)) {
    const owner = e.locationId ?? e.companyId;
    return { locationId: null, eventType, orderingKey: owner ? `ghl:${owner}:app` : null, status };
  }
  const contactId = e.type.startsWith('Contact') ? (e.id ?? e.contactId) : e.contactId;
  const orderingKey =
    e.locationId && contactId && /^(Contact|Note|Task)/.test(e.type) ? `ghl:${e.locationId}:${contactId}` : null;
  return { locationId: e.locationId ?? null, eventType, orderingKey, status };
}

/** ISO string or epoch (seconds or ms); unparseable counts as not fresh (the replay window cannot be checked). */
function isFresh(timestamp: unknown, now: number): boolean {
  let at: number;
  if (typeof timestamp === 'number' || (typeof timestamp === 'string' && /^\d+$/.test(timestamp))) {
    const n = Number(timestamp);
    at = n < 1e12 ? n * 1000 : n;
  } else if (typeof timestamp === 'string') at = Date.parse(timestamp);
  else return false;
  return Number.isFinite(at) && Math.abs(now - at) <= MAX_CLOCK_SKEW_MS;
}
