import type { GhlContact } from '../integrations/ghl/ghl-schemas';
import type { ResponderEvent } from '../integrations/responder/responder-event';
import { followUpDecision, isInboundReply } from '../sync/follow-up';
import { followUpTask, formatLocalTime, noteBody } from '../sync/sync-mappers';
import { changedFieldNames, formatChanges, type ContactDiff } from './contact-diff';
import { formatValue, type TemplateScope } from './template-renderer';

/*
 * The values rules see, as one nested object per event: `{{contact.firstName}}`, `{{message.text}}`… The same
 * object feeds templates and field conditions, so a field that can be tested can be printed and vice versa.
 * Names follow the catalogue in shared/contracts/rules.ts.
 */

/** A GHL contact as rules see it; custom fields by id, DND per channel by GHL's channel key. */
export function contactScope(c: GhlContact | null | undefined): Record<string, unknown> {
  if (!c) return {};
  const displayName =
    [c.firstName, c.lastName].filter(Boolean).join(' ') || c.name || c.contactName || c.email || c.phone || '';
  const customFields: Record<string, string> = {};
  for (const f of c.customFields) customFields[f.id] = formatValue(f.value);
  const dndSettings: Record<string, string> = {};
  for (const [channel, s] of Object.entries(c.dndSettings ?? {})) dndSettings[channel] = s?.status ?? '';
  return {
    id: c.id,
    firstName: c.firstName ?? '',
    lastName: c.lastName ?? '',
    name: c.name ?? c.contactName ?? displayName,
    displayName,
    email: c.email ?? '',
    phone: c.phone ?? '',
    tags: [...c.tags],
    assignedTo: c.assignedTo ?? '',
    dnd: c.dnd === true ? 'true' : 'false',
    companyName: c.companyName ?? '',
    source: c.source ?? '',
    address1: c.address1 ?? '',
    city: c.city ?? '',
    state: c.state ?? '',
    country: c.country ?? '',
    postalCode: c.postalCode ?? '',
    website: c.website ?? '',
    dateOfBirth: c.dateOfBirth ?? '',
    customFields,
    dndSettings,
  };
}

const common = (input: { eventType: string; eventId: string; occurredAt: string; timezone: string; locationId: string }) => ({
  event: { type: input.eventType, id: input.eventId },
  occurredAt: input.occurredAt,
  occurredAtLocal: formatLocalTime(input.occurredAt, input.timezone),
  location: { id: input.locationId },
});

/** The scope of a GHL webhook run: the contact, the change (contact events), the note or task (Note/Task events). */
export function ghlEventScope(input: {
  eventType: string;
  eventId: string;
  occurredAt: string;
  timezone: string;
  locationId: string;
  contact: GhlContact | null;
  diff?: ContactDiff | undefined;
  note?: { id: string; body: string } | undefined;
  task?: { id: string; title: string; body: string; assignedTo: string; dueDate: string } | undefined;
}): Record<string, unknown> {
  const scope: Record<string, unknown> = { ...common(input), contact: contactScope(input.contact) };
  if (input.diff) {
    scope.changes = formatChanges(input.diff);
    scope.changedFields = changedFieldNames(input.diff).map((f) => f.replace(/^contact\./, ''));
    scope.tags = { added: input.diff.tagsAdded, removed: input.diff.tagsRemoved };
  }
  if (input.note) scope.note = input.note;
  if (input.task) scope.task = input.task;
  return scope;
}

/** The scope of a Responder Live event run; `message.note` is the standard context note (seed flow 3). */
export function responderEventScope(input: {
  event: ResponderEvent;
  eventId: string;
  timezone: string;
  locationId: string;
  contact: GhlContact | null;
  /** The location's follow-up keywords (they pick the standard follow-up title). */
  keywords: readonly string[];
}): Record<string, unknown> {
  const { event } = input;
  const withoutRef = (text: string) => text.replace(/\n\nref: [^\n]*$/, '');
  const decision = followUpDecision(event, input.keywords);
  const followUp = followUpTask(event, input.eventId, input.timezone, {
    kind: decision.reason ?? 'inbound_reply',
    keyword: decision.keyword,
  });
  const s = event.subscriber;
  const m = event.message;
  const note = noteBody(event, input.eventId, input.timezone);
  return {
    ...common({ ...input, eventType: event.event, occurredAt: event.occurred_at }),
    contact: contactScope(input.contact),
    subscriber: {
      id: s.id ?? '',
      email: s.email ?? '',
      phone: s.phone ?? '',
      first: s.first ?? '',
      last: s.last ?? '',
      name: s.name ?? '',
      tags: [...s.tags],
      personalFields: Object.fromEntries(Object.entries(s.personal_fields).map(([k, v]) => [k, formatValue(v)])),
    },
    list: { id: event.source.list_id ?? '', name: event.source.list_name ?? '' },
    message: m
      ? {
          id: m.id ?? '',
          channel: m.channel,
          direction: m.direction,
          subject: m.subject ?? '',
          text: m.text ?? '',
          url: m.url ?? '',
          inboundReply: isInboundReply(event) ? 'true' : 'false',
          // The standard texts without their ref line: the engine appends the action's own ref.
          note: withoutRef(note),
          followUpTitle: followUp.title,
          followUpBody: withoutRef(followUp.body),
        }
      : { inboundReply: 'false' },
  };
}

/** Keyword text of a Responder event: subject and text. */
export function responderText(event: ResponderEvent): string {
  return [event.message?.subject, event.message?.text].filter(Boolean).join('\n');
}

export type { TemplateScope };
