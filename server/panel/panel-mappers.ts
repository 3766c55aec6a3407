import type { GhlAppointment, GhlContact, GhlNote, GhlTask, GhlUser } from '../integrations/ghl/ghl-schemas';
import type { MessageRecord } from '../db/repositories/message-repository';
import type { InboxEventRow, InboxStatus } from '../db/schema';
import type { ActivityEntry, ActivityStatus } from '../../shared/contracts/activity';
import type { Appointment } from '../../shared/contracts/appointments';
import type { ContactSummary } from '../../shared/contracts/contacts';
import {
  MessageChannelSchema,
  MessageDirectionSchema,
  ResponderEventTypeSchema,
  type Message,
} from '../../shared/contracts/messages';
import type { Note } from '../../shared/contracts/notes';
import type { Task } from '../../shared/contracts/tasks';
import type { LocationUser } from '../../shared/contracts/users';

/*
 * Pure mappers from GHL's loose shapes (ghl-schemas.ts) and our rows to the panel contracts (shared/contracts).
 * GHL leaves almost every field optional and sends times as strings in more than one format, so each mapper
 * decides the fallback explicitly rather than letting an odd record break a whole list.
 */

const nonEmpty = (v: string | null | undefined): string | undefined => (v && v.trim() ? v : undefined);

/** An ISO-8601 string with `Z`, or undefined when GHL's value is missing or unparseable. */
export function isoOrUndefined(value: string | number | null | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

export function userDisplayName(user: GhlUser): string {
  const full = [user.firstName, user.lastName].filter((p) => nonEmpty(p)).join(' ');
  return nonEmpty(user.name) ?? (nonEmpty(full) || undefined) ?? nonEmpty(user.email) ?? user.id;
}

export function toLocationUser(user: GhlUser): LocationUser {
  return { id: user.id, name: userDisplayName(user), email: nonEmpty(user.email) ?? null };
}

/** Display name: GHL's name, else first + last, else email, else phone (contract ContactSummary.name). */
export function contactDisplayName(c: GhlContact): string {
  const full = [c.firstName, c.lastName].filter((p) => nonEmpty(p)).join(' ');
  return nonEmpty(c.name) ?? nonEmpty(c.contactName) ?? (nonEmpty(full) || undefined) ?? nonEmpty(c.email) ?? nonEmpty(c.phone) ?? '';
}

export function toContactSummary(
  c: GhlContact,
  usersById: ReadonlyMap<string, GhlUser>,
  lastMessage?: { at: number | null; text: string | null },
): ContactSummary {
  const ownerId = nonEmpty(c.assignedTo);
  const owner = ownerId ? usersById.get(ownerId) : undefined;
  const summary: ContactSummary = {
    id: c.id,
    firstName: nonEmpty(c.firstName) ?? null,
    lastName: nonEmpty(c.lastName) ?? null,
    name: contactDisplayName(c),
    email: nonEmpty(c.email) ?? null,
    phone: nonEmpty(c.phone) ?? null,
    tags: c.tags,
    // An owner id GHL no longer lists (deleted user) still shows, by id, so the field is never silently empty.
    owner: ownerId ? { id: ownerId, name: owner ? userDisplayName(owner) : ownerId } : null,
    dnd: c.dnd === true,
  };
  if (lastMessage?.at != null) summary.lastMessageAt = new Date(lastMessage.at).toISOString();
  if (lastMessage?.text != null) summary.lastMessageText = lastMessage.text;
  return summary;
}

export function toNote(n: GhlNote, contactId: string, fallbackTime: number): Note {
  return {
    id: n.id,
    contactId,
    body: n.body ?? '',
    userId: nonEmpty(n.userId) ?? null,
    createdAt: isoOrUndefined(n.dateAdded) ?? new Date(fallbackTime).toISOString(),
  };
}

export function toTask(t: GhlTask, contactId: string, fallbackTime: number): Task {
  return {
    id: t.id,
    contactId,
    title: t.title ?? '',
    body: t.body ?? null,
    dueDate: isoOrUndefined(t.dueDate) ?? isoOrUndefined(t.dateAdded) ?? new Date(fallbackTime).toISOString(),
    completed: t.completed === true,
    assignedTo: nonEmpty(t.assignedTo) ?? null,
  };
}

/** Open tasks first, then by due date (contract TaskList). */
export function sortTasks(tasks: Task[]): Task[] {
  return [...tasks].sort(
    (a, b) => Number(a.completed) - Number(b.completed) || a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id),
  );
}

/** Undefined when GHL's start time cannot be read (the entry could not be placed on a timeline). */
export function toAppointment(a: GhlAppointment): Appointment | undefined {
  const startTime = isoOrUndefined(a.startTime);
  if (!startTime) return undefined;
  return {
    id: a.id,
    title: nonEmpty(a.title) ?? '',
    // `appointmentStatus` is the booking state (confirmed, showed…); `status` is sometimes the record's state.
    status: nonEmpty(a.appointmentStatus) ?? nonEmpty(a.status) ?? 'new',
    startTime,
    endTime: isoOrUndefined(a.endTime) ?? null,
    calendarId: nonEmpty(a.calendarId) ?? null,
    address: nonEmpty(a.address) ?? null,
  };
}

/** Undefined for a stored row whose type is not a canonical Responder event (never written by the sync engine). */
export function toMessage(m: MessageRecord): Message | undefined {
  const eventType = ResponderEventTypeSchema.safeParse(m.eventType);
  if (!eventType.success) return undefined;
  const channel = MessageChannelSchema.safeParse(m.channel);
  const direction = MessageDirectionSchema.safeParse(m.direction);
  return {
    id: String(m.id),
    eventType: eventType.data,
    channel: channel.success ? channel.data : null,
    direction: direction.success ? direction.data : null,
    subject: m.subject,
    text: m.text,
    url: m.url,
    listName: m.listName,
    occurredAt: new Date(m.occurredAt).toISOString(),
  };
}

/** `cancelled` (work dropped at UNINSTALL) is not a status the panel knows; it reads as ignored. */
export function toActivityStatus(status: InboxStatus): ActivityStatus {
  return status === 'cancelled' ? 'ignored' : status;
}

function parseJson(text: string | null): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const clip = (s: string, max = 140): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * One human line for the activity log: the handler's own summary when it wrote one (`result.summary`), else
 * who/what from the stored payload. Null once the payload was purged and no summary was kept.
 */
export function activitySummary(row: Pick<InboxEventRow, 'source' | 'payload' | 'result'>): string | null {
  const result = obj(parseJson(row.result));
  const own = str(result.summary);
  if (own) return clip(own);
  const payload = obj(parseJson(row.payload));
  if (row.source === 'responder') {
    const subscriber = obj(payload.subscriber);
    const message = obj(payload.message);
    const who =
      str(subscriber.email) ??
      str(subscriber.name) ??
      ([str(subscriber.first), str(subscriber.last)].filter(Boolean).join(' ') || undefined) ??
      str(subscriber.phone);
    const what = str(message.subject) ?? str(message.text);
    const parts = [who, what].filter((p): p is string => !!p);
    return parts.length ? clip(parts.join(': ')) : null;
  }
  const who = str(payload.email) ?? str(payload.name) ?? str(payload.contactId) ?? str(payload.id);
  const what = str(payload.title) ?? str(payload.body);
  const parts = [who, what].filter((p): p is string => !!p);
  return parts.length ? clip(parts.join(': ')) : null;
}

export function toActivityEntry(row: InboxEventRow): ActivityEntry {
  return {
    id: row.id,
    source: row.source,
    eventType: row.event_type,
    status: toActivityStatus(row.status),
    attempts: row.attempts,
    lastError: row.last_error,
    contactId: row.contact_id,
    receivedAt: new Date(row.received_at).toISOString(),
    processedAt: row.processed_at === null ? null : new Date(row.processed_at).toISOString(),
    summary: activitySummary(row),
  };
}
