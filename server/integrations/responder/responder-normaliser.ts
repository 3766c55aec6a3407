import { createHash } from 'node:crypto';
import { z } from 'zod';
import { RESPONDER_EVENT_SCHEMA, type MessageChannel, type ResponderEvent, type ResponderEventType } from './responder-event';
import { parseChannel, parseDirection, parseEventType } from './responder-field-map';
import { collectInto, emptyCollected, isPlainObject, scalarString, setField, type Collected } from './responder-payload-collector';
import { normalisePhone, type CountryCode } from './responder-phone';
import { splitName } from './responder-text';
import { tryParseOccurredAt, parseOccurredAt } from './responder-time';

export { parseResponderBody } from './responder-body-parser';

export type NormaliseError = { code: string; message: string };
export type NormaliseResult =
  | { ok: true; event: ResponderEvent; dedupeKey: string; known: boolean }
  | { ok: false; error: NormaliseError };

const DAY_MS = 24 * 3600 * 1000;

/**
 * Turns a Responder Live webhook body (flat, keys renamed by the user, Hebrew or English; or the canonical
 * `responder-live.event/v1`) into the canonical event plus its dedupe key (SPEC §2, responder-live.md §5.3).
 * `known: false` means the event type is not one we handle: store it as ignored and acknowledge.
 */
export function normaliseResponderPayload(input: {
  body: unknown;
  query: Record<string, unknown>;
  locationId: string;
  receivedAt: Date;
  defaultCountry?: CountryCode;
}): NormaliseResult {
  let body = input.body;
  // A one-element array is a single event in a list; more than one would be a batch, which no producer sends.
  if (Array.isArray(body) && body.length === 1) body = body[0];
  if (!isPlainObject(body)) {
    return fail('invalid_payload', 'The body must be a JSON object or form fields');
  }
  if (typeof body.schema === 'string' && body.schema.trim() === RESPONDER_EVENT_SCHEMA) {
    const checked = canonicalInputSchema.safeParse(body);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      return fail('invalid_event', `Not a valid ${RESPONDER_EVENT_SCHEMA} event: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
    }
  }
  const collected = emptyCollected();
  collectInto(collected, body, 'root');
  return build(collected, input);
}

// Loose on purpose: numbers or strings for ids, any case for the enums (mapped later). Wrong shapes are refused.
const idInput = z.union([z.string(), z.number()]).nullish();
const textInput = z.string().nullish();
const canonicalInputSchema = z.looseObject({
  schema: z.string(),
  event: z.union([z.string(), z.number()]).nullish(),
  event_id: idInput,
  occurred_at: z.union([z.string(), z.number()]).nullish(),
  source: z
    .looseObject({ account_id: idInput, list_id: idInput, list_name: textInput, webhook_name: textInput, automation_name: textInput })
    .nullish(),
  subscriber: z.looseObject({
    id: idInput,
    email: textInput,
    phone: z.union([z.string(), z.number()]).nullish(),
    phone_e164: textInput,
    first: textInput,
    last: textInput,
    name: textInput,
    status: z.union([z.string(), z.number(), z.boolean(), z.record(z.string(), z.unknown())]).nullish(),
    tags: z.union([z.array(z.union([z.string(), z.number()])), z.string()]).nullish(),
    personal_fields: z.record(z.string(), z.unknown()).nullish(),
  }),
  message: z
    .looseObject({ id: idInput, channel: textInput, direction: textInput, subject: textInput, text: textInput, url: textInput })
    .nullish(),
});

function build(
  c: Collected,
  input: { query: Record<string, unknown>; locationId: string; receivedAt: Date; defaultCountry?: CountryCode },
): NormaliseResult {
  const s = c.subscriber;
  if (!s.email && !s.phone && !s.id) {
    return fail('no_subscriber_identity', 'The payload has no email, phone or subscriber id');
  }

  // The URL's ?event= wins: list webhooks may not say which trigger fired (responder-live.md §5.1).
  const given = parseEventType(input.query.event) ?? parseEventType(c.event);
  const hasMessageText = Boolean(c.message.text || c.message.subject);
  let type: ResponderEventType | 'unknown' = given?.type ?? (hasMessageText ? 'message.received' : 'subscriber.updated');
  // Responder reports unsubscribes as "details or status updated" (trigger 2, §1.3.3).
  const st = s.status;
  if (type === 'subscriber.updated' && (st.active === false || st.account_active === false || st.list_active === false)) {
    type = 'subscriber.unsubscribed';
  }

  const listId = c.source.list_id ?? scalarString(firstOf(input.query.list_id));
  const listName = c.source.list_name ?? scalarString(firstOf(input.query.list_name));
  const phone = s.phone ? normalisePhone(s.phone, input.defaultCountry ?? 'IL') : undefined;

  let { first, last, name } = s;
  if (!first && !last && name) {
    const split = splitName(name);
    first = split.first || undefined;
    last = split.last || undefined;
  }
  if (!name && (first || last)) name = [first, last].filter(Boolean).join(' ');

  const personalFields = { ...s.personal_fields };
  let message: ResponderEvent['message'];
  if (type.startsWith('message.')) {
    message = {
      id: c.message.id,
      channel: parseChannel(c.message.channel) ?? parseChannel(firstOf(input.query.channel)) ?? inferChannel(c, type),
      direction: parseDirection(c.message.direction) ?? (type === 'message.received' || type === 'message.replied' ? 'inbound' : 'outbound'),
      subject: c.message.subject,
      text: c.message.text,
      url: c.message.url,
    };
  } else {
    // On a subscriber event these were form fields ("הודעה" on a contact form), not a message.
    for (const [field, v] of Object.entries(c.messageKeys)) setField(personalFields, field, v);
  }

  const parsedTime = tryParseOccurredAt(c.occurredAt);
  const event: ResponderEvent = {
    schema: RESPONDER_EVENT_SCHEMA,
    event: type,
    ...(given && given.raw !== given.type ? { raw_event: given.raw } : {}),
    ...(c.eventId ? { event_id: c.eventId } : {}),
    occurred_at: parsedTime ?? parseOccurredAt(undefined, input.receivedAt),
    ...(parsedTime ? {} : { occurred_at_derived: true }),
    source: compact({ ...c.source, list_id: listId, list_name: listName }),
    subscriber: compact({
      id: s.id,
      email: s.email,
      phone: s.phone,
      phone_e164: phone?.e164 ?? undefined,
      first,
      last,
      name,
      status: Object.keys(st).length ? st : undefined,
      tags: s.tags,
      personal_fields: personalFields,
    }),
    ...(message ? { message: compact(message) } : {}),
  };
  return { ok: true, event, dedupeKey: dedupeKeyFor(input.locationId, event, input.receivedAt), known: type !== 'unknown' };
}

function inferChannel(c: Collected, type: ResponderEventType | 'unknown'): MessageChannel {
  const s = c.subscriber;
  if (c.message.subject) return 'email';
  // Inbound messages reach Responder only as SMS replies to its virtual number (§3), never as email.
  if ((type === 'message.replied' || type === 'message.received') && s.phone) return 'sms';
  if (s.email) return 'email';
  return s.phone ? 'sms' : 'email';
}

/**
 * `responder:<location>:id:<event_id>` when the producer names the event; else a content key:
 * `responder:<location>:h:<sha256(location | the whole normalised event | time)>`. The time is `occurred_at` when
 * the payload carried one, else the 24-hour bucket of the receive time, so a re-delivery of the same body inside
 * that window collapses onto the first (SPEC §2: "the same content within 24 h"). A retry that crosses a bucket
 * boundary (00:00 UTC, 02:00–03:00 in Israel) is stored again; Responder's double fires come seconds apart.
 */
export function dedupeKeyFor(locationId: string, event: ResponderEvent, receivedAt: Date): string {
  if (event.event_id) {
    const id = event.event_id.length > 200 ? sha256(event.event_id) : event.event_id;
    return `responder:${locationId}:id:${id}`;
  }
  const time = event.occurred_at_derived ? `bucket:${Math.floor(receivedAt.getTime() / DAY_MS)}` : event.occurred_at;
  const content: Record<string, unknown> = { ...event };
  delete content.occurred_at;
  delete content.occurred_at_derived;
  const subscriber = { ...event.subscriber, email: event.subscriber.email?.toLowerCase() };
  return `responder:${locationId}:h:${sha256(`${locationId}|${stableStringify({ ...content, subscriber })}|${time}`)}`;
}

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function compact<T extends Record<string, unknown>>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined && v !== '') out[k] = v;
  return out as T;
}

function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

function fail(code: string, message: string): NormaliseResult {
  return { ok: false, error: { code, message } };
}
