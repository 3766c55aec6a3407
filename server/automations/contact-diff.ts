import type { GhlContact } from '../integrations/ghl/ghl-schemas';
import { stripBidi } from '../integrations/responder/responder-text';
import { formatValue } from './template-renderer';

/*
 * What changed on a GHL contact between the state we last saw (contact_states) and a Contact* webhook. Pure: the
 * handler loads and stores the snapshots. GHL's webhooks carry the whole contact, never the change itself
 * (reference/ghl-webhooks/ContactUpdate.json), so the diff is the only way to say *what* changed.
 */

/** One changed field, named as rule conditions name it (`contact.email`, `contact.customFields.<id>`). */
export interface FieldChange {
  field: string;
  label: string;
  from: string | null;
  to: string | null;
}

export interface ContactDiff {
  /** False when no earlier state of the contact was known: nothing can be said about what changed. */
  baseline: boolean;
  changes: FieldChange[];
  tagsAdded: string[];
  tagsRemoved: string[];
}

const PLAIN_FIELDS = [
  ['firstName', 'First name'],
  ['lastName', 'Last name'],
  ['email', 'Email'],
  ['phone', 'Phone'],
  ['assignedTo', 'Owner'],
  ['companyName', 'Company'],
  ['address1', 'Address'],
  ['city', 'City'],
  ['state', 'State'],
  ['postalCode', 'Postal code'],
  ['country', 'Country'],
  ['website', 'Website'],
  ['source', 'Source'],
  ['dateOfBirth', 'Date of birth'],
  ['timezone', 'Time zone'],
] as const;

const empty = (v: unknown): string | null => {
  const s = typeof v === 'string' ? v : formatValue(v);
  const t = stripBidi(s).trim();
  return t === '' ? null : s.trim();
};

/** The form two values are compared in: bidi marks dropped, email case-insensitive, phones by their digits. */
function comparable(field: string, v: string | null): string | null {
  if (v === null) return null;
  const s = stripBidi(v).trim();
  if (field === 'email') return s.toLowerCase();
  if (field === 'phone') return s.replace(/\D/g, '').replace(/^0+/, '');
  return s;
}

/** Whether two values of a contact field are the same once compared as GHL would (`field` without `contact.`). */
export function sameValue(field: string, a: unknown, b: unknown): boolean {
  return comparable(field, empty(a)) === comparable(field, empty(b));
}

/** True when a snapshot holds more than an id (the sync engine may store `{id}` alone beside the last message). */
export function hasBaseline(snapshot: GhlContact | null | undefined): snapshot is GhlContact {
  if (!snapshot) return false;
  return ['firstName', 'lastName', 'name', 'email', 'phone', 'dateAdded', 'locationId'].some(
    (k) => snapshot[k as keyof GhlContact] !== undefined,
  );
}

const tagKey = (t: string) => stripBidi(t).trim().toLowerCase();
const DND_STATUS = (s: GhlContact['dndSettings'], channel: string) => (s?.[channel]?.status === 'active' ? 'active' : 'inactive');

/** The changes from `before` to `after`; `before` without a baseline gives `{baseline: false}` and no changes. */
export function diffContact(before: GhlContact | null | undefined, after: GhlContact): ContactDiff {
  if (!hasBaseline(before)) return { baseline: false, changes: [], tagsAdded: [], tagsRemoved: [] };
  const changes: FieldChange[] = [];
  const push = (field: string, label: string, from: string | null, to: string | null) =>
    changes.push({ field: `contact.${field}`, label, from, to });

  for (const [field, label] of PLAIN_FIELDS) {
    const from = empty(before[field]);
    const to = empty(after[field]);
    if (comparable(field, from) !== comparable(field, to)) push(field, label, from, to);
  }
  // GHL derives `name` from first + last; only a contact without them has a name of its own worth diffing.
  const named = (c: GhlContact) => c.firstName || c.lastName;
  if (!named(before) && !named(after)) {
    const from = empty(before.name ?? before.contactName);
    const to = empty(after.name ?? after.contactName);
    if (comparable('name', from) !== comparable('name', to)) push('name', 'Name', from, to);
  }
  if (typeof before.dnd === 'boolean' && typeof after.dnd === 'boolean' && before.dnd !== after.dnd) {
    push('dnd', 'Do not disturb', String(before.dnd), String(after.dnd));
  }
  if (after.dndSettings) {
    const channels = new Set([...Object.keys(before.dndSettings ?? {}), ...Object.keys(after.dndSettings)]);
    for (const channel of channels) {
      const from = DND_STATUS(before.dndSettings, channel);
      const to = DND_STATUS(after.dndSettings, channel);
      if (from !== to) push(`dndSettings.${channel}`, `Do not disturb (${channel})`, from, to);
    }
  }
  const beforeFields = new Map(before.customFields.map((f) => [f.id, empty(f.value)]));
  const afterFields = new Map(after.customFields.map((f) => [f.id, empty(f.value)]));
  for (const id of new Set([...beforeFields.keys(), ...afterFields.keys()])) {
    // A field missing from one side is unknown there, not emptied: GHL omits empty custom fields.
    if (!afterFields.has(id)) continue;
    const from = beforeFields.get(id) ?? null;
    const to = afterFields.get(id) ?? null;
    if (from !== to) push(`customFields.${id}`, `Custom field ${id}`, from, to);
  }

  const had = new Set(before.tags.map(tagKey));
  const has = new Set(after.tags.map(tagKey));
  return {
    baseline: true,
    changes,
    tagsAdded: after.tags.filter((t) => !had.has(tagKey(t))),
    tagsRemoved: before.tags.filter((t) => !has.has(tagKey(t))),
  };
}

/** Every change as a contact whose earlier state is unknown would show it (ContactCreate): empty → value. */
export function diffFromNothing(after: GhlContact): ContactDiff {
  const blank: GhlContact = { id: after.id, locationId: after.locationId ?? '', tags: [], customFields: [] };
  return { ...diffContact(blank, after), baseline: false };
}

/** True when nothing changed. */
export function isEmptyDiff(d: ContactDiff): boolean {
  return d.changes.length === 0 && d.tagsAdded.length === 0 && d.tagsRemoved.length === 0;
}

/** The changed field names (`contact.tags` when tags changed), for `field_changed` and `{{changedFields}}`. */
export function changedFieldNames(d: ContactDiff): string[] {
  const names = d.changes.map((c) => c.field);
  if (d.tagsAdded.length > 0 || d.tagsRemoved.length > 0) names.push('contact.tags');
  return names;
}

/** `{{changes}}`: one line per change, `First name: דנה → דנה לוי`, then tags; values as GHL holds them. */
export function formatChanges(d: ContactDiff): string {
  if (!d.baseline && isEmptyDiff(d)) return '(previous values unknown: first change seen for this contact)';
  const show = (v: string | null) => (v === null ? '(empty)' : v);
  const lines = d.changes.map((c) => `${c.label}: ${show(c.from)} → ${show(c.to)}`);
  if (d.tagsAdded.length > 0) lines.push(`Tags added: ${d.tagsAdded.join(', ')}`);
  if (d.tagsRemoved.length > 0) lines.push(`Tags removed: ${d.tagsRemoved.join(', ')}`);
  return lines.length > 0 ? lines.join('\n') : '(no changes)';
}
