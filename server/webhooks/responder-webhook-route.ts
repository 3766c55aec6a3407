import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import querystring from 'node:querystring';
import type { ResponderConnectionRepository } from '../db/repositories/responder-connection-repository';
import type { Logger } from '../logger';
import type { ResponderEvent } from '../integrations/responder/responder-event';
import { normaliseResponderPayload, parseResponderBody, type NormaliseResult } from '../integrations/responder/responder-normaliser';
import type { CountryCode } from '../integrations/responder/responder-phone';
import { readBody, sendJson } from '../http/node-http';
import { requestLog } from '../http/request-context';
import type { LaneRoute } from '../http/webhook-lane';

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
const BODY_LIMIT_BYTES = 256 * 1024;

/**
 * `POST /webhooks/responder/:key` (SPEC §2): key → body → normalise → store → answer, served by the webhook lane
 * (http/webhook-lane.ts) on Node's own request and response. Responder deletes a webhook that gets a 4xx other than
 * 429 (responder-live.md §1.3.4), so every answer is 200 except 429 for backpressure. An unknown key (or none) gets
 * `200 {ok:false}` before the body is read and stores nothing; an unreadable body gets `200 {ok:false,error}` and
 * one `invalid` inbox row; when storing fails the answer is 429, which Responder retries for days.
 */
export function responderWebhookRoute(deps: ResponderWebhookDeps): LaneRoute {
  const now = deps.now ?? (() => new Date());
  return {
    // Express's matching: any case, one optional trailing slash. A URL without its key is still Responder's URL.
    path: /^\/webhooks\/responder(?:\/([^/]*))?\/?$/i,
    handle: async (req, res, [encodedKey], query) => {
      const receivedAt = now();
      const log = () => requestLog(req) ?? deps.logger;
      const key = decodeKey(encodedKey);

      let locationId: string | null;
      try {
        locationId = key ? await deps.connections.locationIdForWebhookKey(key) : null;
      } catch (err) {
        log().error({ err }, 'responder webhook: connection lookup failed');
        req.resume();
        storageUnavailable(res);
        return;
      }
      if (locationId === null) {
        req.resume();
        if (encodedKey) log().info('responder webhook with an unknown key ignored');
        sendJson(res, 200, { ok: false });
        return;
      }

      const read = await readBody(req, BODY_LIMIT_BYTES);
      if (!read.ok) {
        const error = read.reason === 'too_large'
          ? { code: 'payload_too_large', message: `The body is larger than ${BODY_LIMIT_BYTES / 1024}kb` }
          : { code: 'unreadable_body', message: 'The request body could not be read' };
        await storeInvalid(deps, res, log(), locationId, error, null);
        return;
      }
      const raw = read.body;

      const parsed = parseResponderBody(raw, req.headers['content-type']);
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
        // Parsed as Express 5's default ("simple") query parser did.
        const fields = querystring.parse(query);
        result = normaliseResponderPayload({ body: parsed.body, query: fields, locationId, receivedAt, defaultCountry });
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
      sendJson(res, 200, { ok: true, eventId: stored.id, duplicate: stored.duplicate });
    },
  };
}

/** The path's key, URL-decoded as Express decodes parameters; a key that does not decode is no key. */
function decodeKey(encoded: string | undefined): string | undefined {
  if (!encoded) return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
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
  res: ServerResponse,
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
  sendJson(res, 200, { ok: false, error });
}

function storageUnavailable(res: ServerResponse): void {
  sendJson(res, 429, { ok: false, error: { code: 'storage_unavailable', message: 'The event could not be stored; retry later' } });
}
