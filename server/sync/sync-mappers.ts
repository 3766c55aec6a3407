import { DateTime } from 'luxon';
import type { LinkKeys } from '../db/repositories/contact-link-repository';
import type { NewMessage } from '../db/repositories/message-repository';
import type { GhlContact, GhlContactInput, GhlContactUpdate } from '../integrations/ghl/ghl-schemas';
import type { ResponderEvent } from '../integrations/responder/responder-event';
import { normalisePhone, type CountryCode } from '../integrations/responder/responder-phone';
import { stripBidi } from '../integrations/responder/responder-text';
import { wallClock, zoneOrDefault } from './business-days';

/*
 * Pure mappers from a canonical Responder Live event to what the default rule writes to GHL. No I/O here: the
 * engine (responder-event-handler.ts) decides when to call GHL; these decide what to send.
 */

export const RESPONDER_TAG = 'responder-live';

/** The contact fields the default rule owns (SPEC seed flow 1: email, name, phone). */
export type ContactFieldInput = Pick<GhlContactInput, 'firstName' | 'lastName' | 'name' | 'email' | 'phone'>;

/** Invisible bidi marks in a name or an address make GHL values that look equal but are not; fields lose them. */
const clean = (s: string | undefined): string | undefined => {
  const v = s === undefined ? undefined : stripBidi(s).trim();
  return v ? v : undefined;
};

/** The identities to resolve and link: subscriber id, email (lower-cased), phone (E.164, else raw). */
export function contactKeys(event: ResponderEvent): LinkKeys {
  const s = event.subscriber;
  return {
    subscriberId: clean(s.id),
    email: clean(s.email)?.toLowerCase(),
    phone: clean(s.phone_e164) ?? clean(s.phone),
  };
}

/**
 * The contact fields the event carries. Phone is E.164 when the normaliser could make it one, else the raw value
 * (never dropped, SPEC §3). Missing values are left out, so an email-only event never blanks a known name.
 */
export function contactFields(event: ResponderEvent): ContactFieldInput {
  const s = event.subscriber;
  const out: ContactFieldInput = {};
  const first = clean(s.first);
  const last = clean(s.last);
  const name = clean(s.name);
  if (first) out.firstName = first;
  if (last) out.lastName = last;
  if (name && !first && !last) out.name = name;
  const email = clean(s.email)?.toLowerCase();
  if (email) out.email = email;
  const phone = clean(s.phone_e164) ?? clean(s.phone);
  if (phone) out.phone = phone;
  return out;
}

/** Two phones are the same number when they normalise to the same E.164 (else compare their digits). */
export function samePhone(a: string | null | undefined, b: string | null | undefined, country: CountryCode): boolean {
  if (!a || !b) return !a && !b;
  const ea = normalisePhone(a, country).e164;
  const eb = normalisePhone(b, country).e164;
  if (ea && eb) return ea === eb;
  return a.replace(/\D/g, '') === b.replace(/\D/g, '');
}

/**
 * Only the fields that differ from the last seen contact (names exact after removing bidi marks, email
 * case-insensitive, phone by E.164). An empty result means the PUT can be skipped.
 */
export function changedContactFields(
  desired: ContactFieldInput,
  snapshot: GhlContact | null | undefined,
  country: CountryCode,
): GhlContactUpdate {
  if (!snapshot) return { ...desired };
  const out: GhlContactUpdate = {};
  const norm = (v: string | null | undefined) => (v ? stripBidi(v).trim() : '');
  if (desired.firstName && norm(desired.firstName) !== norm(snapshot.firstName)) out.firstName = desired.firstName;
  if (desired.lastName && norm(desired.lastName) !== norm(snapshot.lastName)) out.lastName = desired.lastName;
  if (desired.name && norm(desired.name) !== norm(snapshot.name ?? snapshot.contactName)) out.name = desired.name;
  if (desired.email && norm(desired.email).toLowerCase() !== norm(snapshot.email).toLowerCase()) {
    out.email = desired.email;
  }
  if (desired.phone && !samePhone(desired.phone, snapshot.phone, country)) out.phone = desired.phone;
  return out;
}

/** The snapshot after a successful write of `update` (and of tags, when GHL reported them). */
export function applyToSnapshot(snapshot: GhlContact, update: GhlContactUpdate, tags?: string[]): GhlContact {
  const next: GhlContact = { ...snapshot };
  for (const key of ['firstName', 'lastName', 'name', 'email', 'phone'] as const) {
    const value = update[key];
    if (value !== undefined) next[key] = value;
  }
  if (update.dnd !== undefined) next.dnd = update.dnd;
  if (update.dndSettings) next.dndSettings = { ...(snapshot.dndSettings ?? {}), ...update.dndSettings };
  if (update.customFields) {
    const byId = new Map(next.customFields.map((f) => [f.id, f]));
    for (const f of update.customFields) if (f.id) byId.set(f.id, { id: f.id, value: f.field_value ?? f.value });
    next.customFields = [...byId.values()];
  }
  if (tags) next.tags = tags;
  return next;
}

/** The tags the default rule wants: `responder-live`, the list's name, `responder:<event>`. */
export function desiredTags(event: ResponderEvent): string[] {
  const tags = [RESPONDER_TAG];
  const list = clean(event.source.list_name);
  if (list) tags.push(list);
  tags.push(`responder:${event.event}`);
  return tags;
}

/** The tags of `wanted` not yet on the contact, compared case-insensitively (GHL stores tags lower-cased). */
export function missingTags(wanted: readonly string[], existing: readonly string[]): string[] {
  const have = new Set(existing.map((t) => stripBidi(t).trim().toLowerCase()));
  const out: string[] = [];
  for (const tag of wanted) {
    const key = stripBidi(tag).trim().toLowerCase();
    if (!key || have.has(key)) continue;
    have.add(key);
    out.push(tag);
  }
  return out;
}

/** GHL's DndSettingsSchema channel keys (apps/contacts.json) for our message channels. */
const DND_CHANNEL = { email: 'Email', sms: 'SMS', whatsapp: 'WhatsApp' } as const;

export const UNSUBSCRIBE_DND_CODE = 'responder_live_unsubscribe';

/**
 * DND for an unsubscribe (Israeli practice: honour removal on the channel it came from, responder-live.md §4.4):
 * `dndSettings.<Channel> = {status:'active', message, code}` for a known channel, else the global `dnd: true`.
 * Null when the snapshot already shows it.
 */
export function unsubscribeDnd(
  event: ResponderEvent,
  snapshot: GhlContact | null | undefined,
  timezone: string,
): Pick<GhlContactUpdate, 'dnd' | 'dndSettings'> | null {
  if (event.event !== 'subscriber.unsubscribed') return null;
  const channel = event.message?.channel;
  if (!channel) return snapshot?.dnd === true ? null : { dnd: true };
  const key = DND_CHANNEL[channel];
  if (snapshot?.dndSettings?.[key]?.status === 'active') return null;
  const when = formatLocalTime(event.occurred_at, timezone);
  const list = clean(event.source.list_name);
  const message = `Unsubscribed in Responder Live${list ? ` (${list})` : ''} at ${when}`;
  return { dndSettings: { [key]: { status: 'active', message, code: UNSUBSCRIBE_DND_CODE } } };
}

/** The date-time string format of ECMA-262 §21.4.1.32, which Date.parse reads exactly, without luxon's cost. */
const ECMA_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an ISO time in that format; undefined for any other text (luxon reads those). */
function ecmaMs(iso: string): number | undefined {
  if (!ECMA_DATE_TIME.test(iso)) return undefined;
  const [year, month, day] = [Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10))];
  // Date.parse rolls 30 February over into March, where luxon (and the event's sender) means no such day.
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

// An event's time is formatted for its note, its task, its rule scope (twice) and more: ~6 times per event, and
// luxon's zone conversion (Intl formatToParts) was a tenth of the worker's CPU. Recent answers are remembered.
const localTimes = new Map<string, string>();
const LOCAL_TIMES_MAX = 512;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
/** luxon's `yyyy-MM-dd HH:mm`, without parsing the format string on every call. */
const localDateTime = (t: DateTime) => `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}`;
/** luxon's `ZZ`: `+02:00`. */
const offsetText = (minutes: number) =>
  `${minutes < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(minutes) / 60))}:${pad(Math.trunc(Math.abs(minutes) % 60))}`;

/** `2026-11-28 14:05 (Asia/Jerusalem, UTC+02:00)`: the event time on the location's wall clock. */
export function formatLocalTime(iso: string, timezone: string): string {
  const key = `${timezone}\u0000${iso}`;
  let text = localTimes.get(key);
  if (text === undefined) {
    const zone = zoneOrDefault(timezone);
    const ms = ecmaMs(iso);
    const t =
      ms === undefined ? DateTime.fromISO(iso, { setZone: true }).setZone(zone) : wallClock(ms, zone);
    text = t.isValid ? `${localDateTime(t)} (${zone}, UTC${offsetText(t.offset)})` : iso;
    if (localTimes.size >= LOCAL_TIMES_MAX) localTimes.delete(localTimes.keys().next().value!);
    localTimes.set(key, text);
  }
  return text;
}

/** Epoch ms of the event (the normaliser guarantees an ISO time with an offset). */
export function occurredAtMs(event: ResponderEvent): number {
  const ms = ecmaMs(event.occurred_at);
  if (ms !== undefined) return ms;
  const t = DateTime.fromISO(event.occurred_at, { setZone: true });
  return t.isValid ? t.toMillis() : Date.parse(event.occurred_at);
}

/** The line that ties a note or task to the inbox event, so a retry can find what an earlier attempt wrote. */
export function refLine(inboxEventId: string): string {
  return `ref: ${inboxEventId}`;
}

/** True when `body` carries the ref line of this event (and not of one whose id merely starts the same). */
export function hasRef(body: string | null | undefined, inboxEventId: string): boolean {
  if (!body) return false;
  const escaped = inboxEventId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`ref: ${escaped}(?![\\w-])`).test(body);
}

const CHANNEL_LABEL = { email: 'Email', sms: 'SMS', whatsapp: 'WhatsApp' } as const;

/**
 * The note of a message event (seed flows 1 and 3): event, channel, direction, list, local time, subject, text,
 * link, then the ref line. Subject, text and list are inserted exactly as received (Hebrew byte for byte, bidi
 * marks kept for display).
 */
export function noteBody(event: ResponderEvent, inboxEventId: string, timezone: string): string {
  const m = event.message;
  const lines = [`Responder Live · ${event.event}`];
  if (m) lines.push(`Channel: ${CHANNEL_LABEL[m.channel]} · Direction: ${m.direction}`);
  if (event.source.list_name) lines.push(`List: ${event.source.list_name}`);
  lines.push(`Time: ${formatLocalTime(event.occurred_at, timezone)}`);
  if (m?.subject) lines.push(`Subject: ${m.subject}`);
  if (m?.text) lines.push('Message:', m.text);
  if (m?.url) lines.push(`Link: ${m.url}`);
  lines.push('', refLine(inboxEventId));
  return lines.join('\n');
}

/** A display name for titles: the Responder name, else first + last, else email, else phone. */
export function displayName(event: ResponderEvent): string {
  const s = event.subscriber;
  const full = clean(s.name) ?? [clean(s.first), clean(s.last)].filter(Boolean).join(' ');
  return full || clean(s.email) || clean(s.phone) || 'contact';
}

/** The follow-up task of a message event; `body` ends with the ref line (adoption after a crash). */
export function followUpTask(
  event: ResponderEvent,
  inboxEventId: string,
  timezone: string,
  reason: { kind: 'inbound_reply' | 'keyword'; keyword?: string | undefined },
): { title: string; body: string } {
  const channel = event.message ? CHANNEL_LABEL[event.message.channel] : 'Responder Live';
  const title =
    reason.kind === 'inbound_reply'
      ? `Follow up: ${displayName(event)} replied (${channel})`
      : `Follow up: ${displayName(event)} (${channel}, keyword "${reason.keyword ?? ''}")`;
  const lines = [`Responder Live · ${event.event} · ${formatLocalTime(event.occurred_at, timezone)}`];
  if (event.message?.subject) lines.push(`Subject: ${event.message.subject}`);
  if (event.message?.text) lines.push(event.message.text);
  lines.push('', refLine(inboxEventId));
  return { title, body: lines.join('\n') };
}

/** The text kept as the contact's last message: the text, else the subject, else the link. */
export function lastMessageText(event: ResponderEvent): string | null {
  const m = event.message;
  return m?.text || m?.subject || m?.url || null;
}

/** The history row of a message event (panel, SPEC §2 messages). */
export function messageRecord(
  event: ResponderEvent,
  ids: { locationId: string; contactId: string; inboxEventId: string },
): NewMessage {
  return {
    locationId: ids.locationId,
    contactId: ids.contactId,
    inboxEventId: ids.inboxEventId,
    eventType: event.event,
    channel: event.message?.channel ?? null,
    direction: event.message?.direction ?? null,
    subject: event.message?.subject ?? null,
    text: event.message?.text ?? null,
    url: event.message?.url ?? null,
    listName: event.source.list_name ?? null,
    occurredAt: occurredAtMs(event),
  };
}
