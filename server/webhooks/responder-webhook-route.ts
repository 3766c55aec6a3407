import { randomUUID } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import type { ResponderConnectionRepository } from '../db/repositories/responder-connection-repository';
import type { Logger } from '../logger';
import type { ResponderEvent } from '../integrations/responder/responder-event';
import { normaliseResponderPayload, parseResponderBody, type NormaliseResult } from '../integrations/responder/responder-normaliser';
import type { CountryCode } from '../integrations/responder/responder-phone';

export interface ResponderInboxEntry {
  source: 'responder';
  locationId: string;
  dedupeKey: string;
  eventType: string;
  orderingKey: string | null;
  payload: unknown;
  rawPayload: unknown;
  status: 'pending' | 'ignored' | 'invalid';
}

export interface ResponderWebhookDeps {
  connections: Pick<ResponderConnectionRepository, 'locationIdForWebhookKey'>;
  inbox: { insert(e: ResponderInboxEntry): Promise<{ id: string; duplicate: boolean }> };
  logger: Logger;
  /** The location's default phone country (settings); IL when not given. */
  defaultCountry?: (locationId: string) => Promise<CountryCode>;
  now?: () => Date;
}

type Failure = { code: string; message: string };

// Subscriber payloads are a few kB; anything this big is refused (as a 200, never a 413, see below).
const BODY_LIMIT = '256kb';

/**
 * `POST /webhooks/responder/:key` (SPEC §2): key → body → normalise → store → answer. Responder deletes a webhook
 * that gets a 4xx other than 429 (responder-live.md §1.3.4), so every answer is 200 except 429 for backpressure.
 * Mount it before any global body parser: it reads the raw bytes itself. An unknown key gets
 * `200 {ok:false}` before the body is read and stores nothing; an unreadable body gets `200 {ok:false,error}`
 * and one `invalid` inbox row; when storing fails the answer is 429, which Responder retries for days.
 */
export function responderWebhookRouter(deps: ResponderWebhookDeps): Router {
  const router = express.Router();
  const readBody = express.raw({ type: () => true, limit: BODY_LIMIT });
  const now = deps.now ?? (() => new Date());

  // A URL without its key is still Responder's URL: never a 404.
  router.post('/webhooks/responder', (_req, res) => {
    res.json({ ok: false });
  });

  router.post('/webhooks/responder/:key', async (req, res) => {
    const receivedAt = now();
    // Read when a line is written: the request's child logger is made on first use (request-context.ts).
    const log = () => (req as { log?: Logger }).log ?? deps.logger;

    let locationId: string | null;
    try {
      locationId = await deps.connections.locationIdForWebhookKey(req.params.key);
      if (locationId === null) {
        req.resume();
        log().info('responder webhook with an unknown key ignored');
        res.json({ ok: false });
        return;
      }
    } catch (err) {
      log().error({ err }, 'responder webhook: connection lookup failed');
      storageUnavailable(res);
      return;
    }

    const bodyError = await new Promise<unknown>((resolve) => readBody(req, res, resolve));
    if (bodyError) {
      const tooLarge = (bodyError as { type?: unknown }).type === 'entity.too.large';
      const error = tooLarge
        ? { code: 'payload_too_large', message: `The body is larger than ${BODY_LIMIT}` }
        : { code: 'unreadable_body', message: 'The request body could not be read' };
      await storeInvalid(deps, res, log(), locationId, error, null);
      return;
    }
    const raw = Buffer.isBuffer(req.body) ? (req.body as Buffer) : Buffer.alloc(0);
    req.rawBody = raw;

    const parsed = parseResponderBody(raw, req.get('content-type'));
    if (!parsed.ok) {
      await storeInvalid(deps, res, log(), locationId, parsed.error, raw.toString('utf8'));
      return;
    }

    let defaultCountry: CountryCode;
    try {
      defaultCountry = deps.defaultCountry ? await deps.defaultCountry(locationId) : 'IL';
    } catch (err) {
      log().error({ err, locationId }, 'responder webhook: location settings unavailable');
      storageUnavailable(res);
      return;
    }
    let result: NormaliseResult;
    try {
      const query = req.query as Record<string, unknown>;
      result = normaliseResponderPayload({ body: parsed.body, query, locationId, receivedAt, defaultCountry });
    } catch (err) {
      // A bug here must not turn into endless retries: keep the body for a replay once fixed.
      log().error({ err, locationId }, 'responder webhook: normaliser failed');
      result = { ok: false, error: { code: 'normalise_failed', message: 'The payload could not be normalised' } };
    }
    if (!result.ok) {
      await storeInvalid(deps, res, log(), locationId, result.error, raw.toString('utf8'));
      return;
    }

    const { event, dedupeKey, known } = result;
    const eventType = known ? event.event : (event.raw_event ?? 'unknown').slice(0, 100);
    let stored: { id: string; duplicate: boolean };
    try {
      stored = await deps.inbox.insert({
        source: 'responder',
        locationId,
        dedupeKey,
        eventType,
        orderingKey: orderingKeyFor(locationId, event),
        payload: event,
        rawPayload: parsed.body,
        status: known ? 'pending' : 'ignored',
      });
    } catch (err) {
      log().error({ err, locationId }, 'responder webhook could not be stored; asking Responder to retry');
      storageUnavailable(res);
      return;
    }
    // Debug, not info: see the same line in ghl-webhook-route.ts.
    if (deps.logger.isLevelEnabled('debug')) {
      log().debug({ locationId, eventId: stored.id, eventType, duplicate: stored.duplicate, known }, 'responder webhook stored');
    }
    res.json({ ok: true, eventId: stored.id, duplicate: stored.duplicate });
  });

  return router;
}

/**
 * One contact's events run in order: keyed by the identity the contact resolver starts from
 * (lower-cased email, else E.164 phone, else Responder subscriber id, else the raw phone digits).
 */
export function orderingKeyFor(locationId: string, event: ResponderEvent): string | null {
  const s = event.subscriber;
  const identity = s.email?.toLowerCase() || s.phone_e164 || (s.id ? `id:${s.id}` : undefined) || s.phone?.replace(/\D/g, '');
  return identity ? `responder:${locationId}:${identity}` : null;
}

/** Keeps the bad body (as text) in the activity log as an `invalid` row with a unique key, then answers 200 ok:false. */
async function storeInvalid(
  deps: ResponderWebhookDeps,
  res: Response,
  log: Logger,
  locationId: string,
  error: Failure,
  rawText: string | null,
): Promise<void> {
  try {
    await deps.inbox.insert({
      source: 'responder',
      locationId,
      dedupeKey: `responder:${locationId}:invalid:${randomUUID()}`,
      eventType: `invalid:${error.code}`,
      orderingKey: null,
      // undefined, not null: the inbox stores JSON text, and JSON null would be the string "null".
      payload: undefined,
      rawPayload: rawText ?? undefined,
      status: 'invalid',
    });
  } catch (err) {
    log.error({ err, locationId }, 'responder webhook: invalid entry could not be stored');
    storageUnavailable(res);
    return;
  }
  log.warn({ locationId, code: error.code }, 'responder webhook body refused');
  res.json({ ok: false, error });
}

function storageUnavailable(res: Response): void {
  res.status(429).json({ ok: false, error: { code: 'storage_unavailable', message: 'The event could not be stored; retry later' } });
}
