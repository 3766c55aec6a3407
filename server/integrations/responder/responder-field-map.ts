import { isKnownEventType, type MessageChannel, type ResponderEventType } from './responder-event';
import { matchKey } from './responder-text';

/**
 * How flat Responder payload keys and values map onto the canonical event (responder-live.md §5.3). Responder's
 * webhook editor lets users rename every outgoing key ("התאמת שדות", §1.3.3), so keys are matched after
 * `matchKey` (case, bidi marks, separators, geresh/gershayim folded) against English and Hebrew aliases.
 */
export type FieldTarget =
  | 'email'
  | 'phone'
  | 'first'
  | 'last'
  | 'name'
  | 'subscriber_id'
  | 'list_id'
  | 'list_name'
  | 'list'
  | 'account_id'
  | 'webhook_name'
  | 'automation_name'
  | 'event'
  | 'event_id'
  | 'occurred_at'
  | 'tags'
  | 'status'
  | 'account_status'
  | 'sms_status'
  | 'list_status'
  | 'inactive'
  | 'message_id'
  | 'subject'
  | 'text'
  | 'channel'
  | 'direction'
  | 'url'
  | 'personal_fields'
  | 'ignore';

const ALIASES: Record<Exclude<FieldTarget, 'personal_fields'>, string[]> = {
  email: ['email', 'e mail', 'mail', 'email address', 'subscriber email', 'אימייל', 'דוא"ל', 'כתובת מייל', 'מייל', 'כתובת אימייל', 'כתובת דוא"ל', 'דואר אלקטרוני'],
  phone: ['phone', 'mobile', 'cellphone', 'cell phone', 'cell', 'phone number', 'mobile phone', 'mobile number', 'telephone', 'tel', 'טלפון', 'נייד', 'מספר טלפון', 'טלפון נייד', 'מספר נייד', 'פלאפון', 'סלולרי'],
  first: ['first', 'first name', 'firstname', 'fname', 'given name', 'שם פרטי'],
  last: ['last', 'last name', 'lastname', 'lname', 'surname', 'family name', 'שם משפחה'],
  name: ['name', 'full name', 'fullname', 'subscriber name', 'שם', 'שם מלא'],
  subscriber_id: ['id', 'subscriber id', 'subscriberid', 'subscriber', 'מזהה', 'מזהה נמען'],
  list_id: ['list id', 'listid', 'list ids', 'מזהה רשימה'],
  list_name: ['list name', 'listname', 'שם רשימה', 'שם הרשימה'],
  list: ['list', 'רשימה'],
  account_id: ['account id', 'accountid', 'account', 'מזהה חשבון'],
  webhook_name: ['webhook name', 'webhook', 'שם וובהוק', 'וובהוק'],
  automation_name: ['automation name', 'automation', 'אוטומציה', 'שם אוטומציה'],
  event: ['event', 'events', 'event type', 'eventtype', 'trigger', 'אירוע', 'טריגר', 'סוג אירוע'],
  event_id: ['event id', 'eventid', 'event uuid', 'delivery id'],
  occurred_at: ['occurred at', 'occurredat', 'date', 'time', 'datetime', 'date time', 'timestamp', 'created', 'created at', 'updated at', 'join date', 'תאריך', 'זמן', 'תאריך ושעה', 'תאריך יצירה', 'תאריך הצטרפות'],
  tags: ['tags', 'tag', 'תגיות', 'תגית'],
  status: ['status', 'subscriber status', 'state', 'active', 'סטטוס', 'סטטוס נמען', 'פעיל'],
  account_status: ['account status', 'account active', 'סטטוס חשבון'],
  sms_status: ['sms status', 'sms active', 'סטטוס sms'],
  list_status: ['list status', 'list active', 'סטטוס ברשימה', 'סטטוס רשימה'],
  inactive: ['inactive', 'unsubscribed', 'לא פעיל'],
  message_id: ['message id', 'messageid', 'msg id', 'מזהה הודעה'],
  subject: ['subject', 'message subject', 'נושא', 'נושא ההודעה', 'כותרת'],
  text: ['text', 'message', 'body', 'message text', 'message body', 'content', 'reply', 'הודעה', 'תוכן', 'תוכן ההודעה', 'טקסט', 'תגובה', 'תשובה'],
  channel: ['channel', 'message channel', 'ערוץ'],
  direction: ['direction', 'message direction', 'כיוון'],
  url: ['url', 'link', 'clicked url', 'clicked link', 'קישור'],
  ignore: ['schema', 'system', 'raw', 'raw event', 'occurred at derived'],
};

const KEY_TABLE = new Map<string, FieldTarget>();
for (const [target, aliases] of Object.entries(ALIASES) as [FieldTarget, string[]][]) {
  for (const alias of aliases) KEY_TABLE.set(matchKey(alias), target);
}

/** Where a flat payload key goes; anything unknown is a personal field, kept verbatim under its original key. */
export function classifyKey(key: string): FieldTarget {
  return KEY_TABLE.get(matchKey(key)) ?? 'personal_fields';
}

const EVENT_ALIASES: Record<ResponderEventType, string[]> = {
  'subscriber.joined': ['joined', 'join', 'new', 'new subscriber', 'subscribe', 'subscribed', 'added', 'subscriber added', 'הצטרף', 'הצטרפות', 'נמען חדש'],
  'subscriber.rejoined': ['rejoined', 'rejoin', 're joined', 'resubscribed', 'resubscribe', 're subscribed', 'הצטרף מחדש', 'הצטרפות מחדש'],
  'subscriber.updated': ['updated', 'update', 'changed', 'subscriber changed', 'עודכן', 'עדכון'],
  'subscriber.unsubscribed': ['unsubscribed', 'unsubscribe', 'removed', 'subscriber removed', 'הוסר', 'הסרה'],
  'message.sent': ['sent', 'send', 'delivered', 'נשלח'],
  'message.received': ['received', 'incoming', 'inbound', 'התקבל', 'הודעה נכנסת'],
  'message.opened': ['opened', 'open', 'נפתח', 'פתח'],
  'message.clicked': ['clicked', 'click', 'נלחץ', 'לחץ'],
  'message.replied': ['replied', 'reply', 'sms reply', 'השיב', 'תגובה'],
  'message.bounced': ['bounced', 'bounce', 'חזר'],
};

const EVENT_TABLE = new Map<string, ResponderEventType>();
for (const [type, aliases] of Object.entries(EVENT_ALIASES) as [ResponderEventType, string[]][]) {
  EVENT_TABLE.set(matchKey(type), type);
  EVENT_TABLE.set(matchKey(type.replace('.', '_')), type);
  for (const alias of aliases) {
    EVENT_TABLE.set(matchKey(alias), type);
    const [family] = type.split('.');
    EVENT_TABLE.set(matchKey(`${family} ${alias}`), type);
  }
}

// Responder's own trigger ids, as list webhooks and Zoho Flow use them (§1.3.3): 1 new, 2 updated, 5 re-subscribed.
const NUMERIC_EVENTS: Record<string, ResponderEventType> = {
  '1': 'subscriber.joined',
  '2': 'subscriber.updated',
  '5': 'subscriber.rejoined',
};

export type ParsedEventType = { type: ResponderEventType | 'unknown'; raw: string };

/** Reads an event type from a query or body value; null when none was given. Unknown types keep their raw text. */
export function parseEventType(value: unknown): ParsedEventType | null {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return null;
  if (typeof first !== 'string' && typeof first !== 'number') return null;
  const raw = String(first).trim();
  if (raw === '') return null;
  if (/^\d+$/.test(raw)) return { type: NUMERIC_EVENTS[raw] ?? 'unknown', raw };
  if (isKnownEventType(raw)) return { type: raw, raw };
  return { type: EVENT_TABLE.get(matchKey(raw)) ?? 'unknown', raw: raw.slice(0, 200) };
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'on', 'active', 'subscribed', 'פעיל', 'כן', 'מנוי']);
const FALSE_WORDS = new Set(
  ['false', '0', 'no', 'n', 'off', 'inactive', 'not active', 'unsubscribed', 'removed', 'blocked', 'bounced', 'לא פעיל', 'לא', 'הוסר', 'הוסרה', 'חסום', 'מושבת', 'לא מנוי'].map(matchKey),
);

/** A status-like value as a boolean (active = true); undefined when it says nothing we recognise. */
export function parseActiveFlag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value !== 'string') return undefined;
  const k = matchKey(value);
  if (TRUE_WORDS.has(k)) return true;
  if (FALSE_WORDS.has(k)) return false;
  return undefined;
}

const CHANNELS: Record<string, MessageChannel> = {};
for (const [channel, words] of Object.entries({
  email: ['email', 'e mail', 'mail', 'אימייל', 'מייל', 'דוא"ל', 'דואר אלקטרוני'],
  sms: ['sms', 'text', 'text message', 'מסרון', 'סמס', 'הודעת sms'],
  whatsapp: ['whatsapp', 'whats app', 'wa', 'וואטסאפ', 'ווטסאפ', 'וטסאפ'],
}) as [MessageChannel, string[]][]) {
  for (const w of words) CHANNELS[matchKey(w)] = channel;
}

/** A channel name in English or Hebrew; undefined when unrecognised (the normaliser then infers one). */
export function parseChannel(value: unknown): MessageChannel | undefined {
  return typeof value === 'string' ? CHANNELS[matchKey(value)] : undefined;
}

const DIRECTIONS: Record<string, 'inbound' | 'outbound'> = {};
for (const w of ['inbound', 'incoming', 'in', 'received', 'נכנס', 'נכנסת']) DIRECTIONS[matchKey(w)] = 'inbound';
for (const w of ['outbound', 'outgoing', 'out', 'sent', 'יוצא', 'יוצאת']) DIRECTIONS[matchKey(w)] = 'outbound';

/** A message direction in English or Hebrew; undefined when unrecognised. */
export function parseDirection(value: unknown): 'inbound' | 'outbound' | undefined {
  return typeof value === 'string' ? DIRECTIONS[matchKey(value)] : undefined;
}
