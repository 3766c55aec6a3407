import type { OwnWrite } from '../db/repositories/own-write-repository';
import { sameValue, type ContactDiff } from './contact-diff';

/*
 * No loops (SPEC §3): GHL echoes every write the app makes as ContactUpdate / ContactTagUpdate / NoteCreate /
 * TaskCreate webhooks. The own-writes record says what the app wrote in the last minutes; the parts of a change
 * that match it are the app's own and must not fire the app's GHL rules (unless a rule opts in).
 */

/** How far back an own write still explains a webhook: GHL delivers within seconds, retries within minutes. */
export const OWN_WRITE_WINDOW_MS = 10 * 60_000;

const asRecord = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const tagKey = (t: string) => t.trim().toLowerCase();

export interface OwnFilterResult {
  /** The change without the app's own parts. */
  diff: ContactDiff;
  /** What was dropped, for the activity log (`contact.firstName`, `tag+:vip`). */
  dropped: string[];
}

/** Removes from `diff` the field, DND, custom-field and tag changes the app itself wrote. */
export function dropOwnChanges(diff: ContactDiff, writes: readonly OwnWrite[]): OwnFilterResult {
  const fieldValues = new Map<string, unknown[]>();
  const addValue = (field: string, value: unknown) => fieldValues.set(field, [...(fieldValues.get(field) ?? []), value]);
  let dndWritten = false;
  const tagsAdded = new Set<string>();
  const tagsRemoved = new Set<string>();
  for (const w of writes) {
    const d = w.detail;
    if (w.kind === 'contact') for (const [k, v] of Object.entries(asRecord(d.fields))) addValue(`contact.${k}`, v);
    if (w.kind === 'dnd') dndWritten = true;
    if (w.kind === 'custom_field' && Array.isArray(d.customFields)) {
      for (const f of d.customFields.map(asRecord)) {
        if (typeof f.id === 'string') addValue(`contact.customFields.${f.id}`, f.field_value ?? f.value);
      }
    }
    if (w.kind === 'tags_added') asStrings(d.tags).forEach((t) => tagsAdded.add(tagKey(t)));
    if (w.kind === 'tags_removed') asStrings(d.tags).forEach((t) => tagsRemoved.add(tagKey(t)));
  }
  const dropped: string[] = [];
  const changes = diff.changes.filter((c) => {
    const own =
      (dndWritten && (c.field === 'contact.dnd' || c.field.startsWith('contact.dndSettings.'))) ||
      (fieldValues.get(c.field) ?? []).some((v) => sameValue(c.field.replace(/^contact\.(customFields\.)?/, ''), v, c.to));
    if (own) dropped.push(c.field);
    return !own;
  });
  const keep = (tags: string[], own: Set<string>, sign: string) =>
    tags.filter((t) => {
      if (!own.has(tagKey(t))) return true;
      dropped.push(`tag${sign}:${t}`);
      return false;
    });
  return {
    diff: {
      ...diff,
      changes,
      tagsAdded: keep(diff.tagsAdded, tagsAdded, '+'),
      tagsRemoved: keep(diff.tagsRemoved, tagsRemoved, '-'),
    },
    dropped,
  };
}

/** The `ref:` values of the app's own notes or tasks: every note and task the app writes carries its ref line. */
function ownRefs(writes: readonly OwnWrite[], kind: 'note' | 'task'): string[] {
  return writes.filter((w) => w.kind === kind).flatMap((w) => (typeof w.detail.ref === 'string' ? [w.detail.ref] : []));
}

/** True when a NoteCreate/TaskCreate body is one the app wrote (it carries one of our ref lines). */
export function isOwnRecord(kind: 'note' | 'task', body: string | null | undefined, writes: readonly OwnWrite[]): boolean {
  if (!body) return false;
  return ownRefs(writes, kind).some((ref) => {
    const escaped = ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`ref: ${escaped}(?![\\w-])`).test(body);
  });
}

/** True when the app itself completed this task (TaskComplete echo). */
export function isOwnTaskCompletion(taskId: string, writes: readonly OwnWrite[]): boolean {
  return writes.some((w) => w.kind === 'task' && w.detail.completed === true && w.detail.taskId === taskId);
}
