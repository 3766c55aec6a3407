import type { ResponderEvent, ResponderSubscriberStatus } from './responder-event';
import { classifyKey, parseActiveFlag, type FieldTarget } from './responder-field-map';
import { matchKey, stripBidi } from './responder-text';

/**
 * First pass of the normaliser: walks a flat or canonical payload and sorts every key into subscriber, source and
 * message fields (responder-live.md §5.3). Nothing is inferred here; responder-normaliser.ts builds the event.
 */

/** The payload's fields, sorted but not yet interpreted. */
export interface Collected {
  event?: unknown;
  eventId?: string;
  occurredAt?: unknown;
  source: ResponderEvent['source'];
  subscriber: Omit<ResponderEvent['subscriber'], 'status' | 'phone_e164'> & { status: ResponderSubscriberStatus };
  message: { id?: string; channel?: unknown; direction?: unknown; subject?: string; text?: string; url?: string };
  /** Message-looking flat keys as received: they go back to personal_fields when the event is a subscriber event. */
  messageKeys: Record<string, unknown>;
}

export type Scope = 'root' | 'subscriber' | 'message' | 'source';

/** A fresh, empty collection. */
export function emptyCollected(): Collected {
  return { source: {}, subscriber: { status: {}, tags: [], personal_fields: {} }, message: {}, messageKeys: {} };
}

const CONTAINERS = new Set(['personal fields', 'personalfields', 'fields', 'custom fields', 'שדות', 'שדות אישיים']);
const MESSAGE_TARGETS = new Set<FieldTarget>(['message_id', 'subject', 'text', 'channel', 'direction', 'url']);
const SOURCE_TARGETS = new Set<FieldTarget>(['account_id', 'list_id', 'list_name', 'list', 'webhook_name', 'automation_name']);

/** Sorts the keys of `obj` (seen at `scope`) into `c`. */
export function collectInto(c: Collected, obj: Record<string, unknown>, scope: Scope): void {
  for (const [key, value] of Object.entries(obj)) {
    const k = matchKey(key);
    if (scope === 'root' && k === 'source' && isPlainObject(value)) {
      collectInto(c, value, 'source');
      continue;
    }
    if (CONTAINERS.has(k) && isPlainObject(value)) {
      for (const [field, v] of Object.entries(value)) setField(c.subscriber.personal_fields, field, v);
      continue;
    }
    // PHP-style form keys that Responder-adjacent tools emit: tags[]=a&tags[]=b, personal_fields[1251]=x.
    const bracket = /^(.+?)\[([^\]]*)\]$/.exec(key);
    if (bracket) {
      const base = matchKey(bracket[1]!);
      if (classifyKey(bracket[1]!) === 'tags') {
        addTags(c, value);
        continue;
      }
      if (CONTAINERS.has(base) && bracket[2]) {
        setField(c.subscriber.personal_fields, bracket[2], value);
        continue;
      }
    }
    let target = classifyKey(key);
    if (scope === 'message') target = k === 'id' ? 'message_id' : MESSAGE_TARGETS.has(target) ? target : 'ignore';
    else if (scope === 'source') target = SOURCE_TARGETS.has(target) ? target : 'ignore';
    else if (scope === 'subscriber' && k === 'phone e164') target = 'ignore';
    apply(c, target, key, value, scope);
  }
}

function apply(c: Collected, target: FieldTarget, key: string, value: unknown, scope: Scope): void {
  const s = c.subscriber;
  const str = scalarString(value);
  switch (target) {
    case 'email': {
      const email = str === undefined ? undefined : stripBidi(str).trim();
      // Something in an email field that is not an address is kept as data, not used as identity.
      if (email && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) s.email = email;
      else if (str !== undefined) setField(s.personal_fields, key, value);
      return;
    }
    case 'phone':
      if (str !== undefined) s.phone = str.trim();
      return;
    case 'first':
    case 'last':
    case 'name':
      if (str !== undefined) s[target] = str.trim();
      return;
    case 'subscriber_id':
      if (isPlainObject(value)) collectInto(c, value, 'subscriber');
      else if (str !== undefined) s.id = stripBidi(str).trim();
      return;
    case 'list':
      if (str !== undefined) {
        if (/^\d+$/.test(stripBidi(str).trim())) c.source.list_id = stripBidi(str).trim();
        else c.source.list_name = str.trim();
      }
      return;
    case 'list_id':
    case 'account_id':
      if (str !== undefined) c.source[target] = stripBidi(str).trim();
      return;
    case 'list_name':
    case 'webhook_name':
    case 'automation_name':
      if (str !== undefined) c.source[target] = str.trim();
      return;
    case 'event':
      c.event = value;
      return;
    case 'event_id':
      if (str !== undefined) c.eventId = stripBidi(str).trim();
      return;
    case 'occurred_at':
      c.occurredAt = value;
      return;
    case 'tags':
      addTags(c, value);
      return;
    case 'status':
      if (isPlainObject(value)) Object.assign(s.status, parseStatusObject(value));
      else {
        if (typeof value === 'string' && value.trim() !== '') s.status.text = value.trim();
        const flag = parseActiveFlag(value);
        if (flag !== undefined) s.status.active = flag;
      }
      return;
    case 'account_status':
    case 'sms_status':
    case 'list_status': {
      const flag = parseActiveFlag(value);
      const field = target === 'account_status' ? 'account_active' : target === 'sms_status' ? 'sms_active' : 'list_active';
      if (flag !== undefined) s.status[field] = flag;
      return;
    }
    case 'inactive': {
      // Responder's list membership carries `inactive` (PUT /lists/{id}/subscribers/{id}, §1.3): true means out of the list.
      const flag = parseActiveFlag(value);
      if (flag !== undefined) s.status.list_active = !flag;
      return;
    }
    case 'text':
      if (scope !== 'message' && isPlainObject(value)) {
        collectInto(c, value, 'message');
        return;
      }
      if (typeof value === 'string' && value !== '') c.message.text = value;
      else if (str !== undefined) c.message.text = str;
      if (scope !== 'message') setField(c.messageKeys, key, value);
      return;
    case 'message_id':
    case 'subject':
    case 'url':
    case 'channel':
    case 'direction':
      if (str !== undefined) {
        const field = target === 'message_id' ? 'id' : target;
        c.message[field] = target === 'subject' ? str : str.trim();
      }
      if (scope !== 'message') setField(c.messageKeys, key, value);
      return;
    case 'personal_fields':
      setField(s.personal_fields, key, value);
      return;
    case 'ignore':
      return;
  }
}

function parseStatusObject(value: Record<string, unknown>): ResponderSubscriberStatus {
  const out: ResponderSubscriberStatus = {};
  for (const [key, raw] of Object.entries(value)) {
    const k = matchKey(key);
    const flag = parseActiveFlag(raw);
    if (k === 'text' && typeof raw === 'string') out.text = raw;
    if (flag === undefined) continue;
    if (k === 'active') out.active = flag;
    else if (k === 'account active' || k === 'account status') out.account_active = flag;
    else if (k === 'sms active' || k === 'sms status') out.sms_active = flag;
    else if (k === 'list active' || k === 'list status') out.list_active = flag;
    else if (k === 'inactive') out.list_active = !flag;
  }
  return out;
}

function addTags(c: Collected, value: unknown): void {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [value];
  for (const item of items) {
    const tag = scalarString(item)?.trim();
    if (tag && !c.subscriber.tags.includes(tag)) c.subscriber.tags.push(tag);
  }
}

/** A scalar (or the first usable item of an array, as repeated form keys give) as text; undefined when empty. */
export function scalarString(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value.find((x) => scalarString(x) !== undefined) : value;
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

/** Assigns as an own property, so user-chosen keys such as `__proto__` stay data. */
export function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
