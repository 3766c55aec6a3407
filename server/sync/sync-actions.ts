import { z } from 'zod';
import { UpstreamError } from '../errors';
import type { ContactStateRepository } from '../db/repositories/contact-state-repository';
import type { OwnWriteRepository } from '../db/repositories/own-write-repository';
import type { GhlClient, GhlTaskInput } from '../integrations/ghl/ghl-client';
import type { GhlContact, GhlContactUpdate } from '../integrations/ghl/ghl-schemas';
import type { HandlerContext } from '../jobs/inbox-worker';
import { applyToSnapshot, hasRef, missingTags } from './sync-mappers';

/*
 * The GHL writes a rule can perform, each run once per inbox event through `ctx.checkpoint` so a retry never
 * repeats a write (SPEC §3). The default rule (responder-event-handler.ts) uses them today; configurable
 * rules (issue 5) call the same functions with their own step names and rendered inputs.
 */

/** What every action needs: the client, the stores, the event's checkpoint API and the contact it works on. */
export interface ActionScope {
  ghl: GhlClient;
  states: ContactStateRepository;
  ownWrites: OwnWriteRepository;
  ctx: Pick<HandlerContext, 'checkpoint' | 'log'>;
  locationId: string;
  contactId: string;
  /** The inbox event id: the `ref:` line in notes and tasks and the origin of own-write records. */
  inboxEventId: string;
  /** The contact as last seen; actions keep it current (tags, fields) so later steps need not re-read it. */
  snapshot: GhlContact;
  now: () => number;
}

/**
 * A create that cannot be made idempotent by GHL (notes, tasks) survives a crash between the call and the
 * checkpoint like this: a `<step>:begun` checkpoint is written before the call; a retry that finds `begun`
 * without the step's result looks for the record carrying our `ref:` line and adopts it instead of writing
 * again. The fresh path costs no extra GHL call.
 */
async function createOnce(
  scope: ActionScope,
  step: string,
  find: () => Promise<string | null>,
  create: () => Promise<string>,
): Promise<{ id: string; adopted: boolean }> {
  let fresh = false;
  // Quiet: stored with everything else unsaved before the step's call, which is all the marker needs.
  await scope.ctx.checkpoint(
    `${step}:begun`,
    async () => {
      fresh = true;
      return scope.now();
    },
    { quiet: true },
  );
  // Deferrable: a retry that misses the result finds the `begun` marker and adopts the record.
  return scope.ctx.checkpoint(
    step,
    async () => {
      if (!fresh) {
        const existing = await find();
        if (existing) {
          scope.ctx.log.info({ step, id: existing }, 'adopted the record an earlier attempt wrote');
          return { id: existing, adopted: true };
        }
      }
      return { id: await create(), adopted: false };
    },
    { deferrable: true },
  );
}

/** Appends a note (its body must contain the event's ref line). Returns the note id. */
export async function appendNote(scope: ActionScope, step: string, body: string): Promise<{ id: string; adopted: boolean }> {
  const { ghl, locationId, contactId, inboxEventId } = scope;
  return createOnce(
    scope,
    step,
    async () => (await ghl.listNotes(locationId, contactId)).find((n) => hasRef(n.body, inboxEventId))?.id ?? null,
    async () => {
      await scope.ownWrites.record(locationId, contactId, 'note', { ref: inboxEventId, step }, scope.now());
      return (await ghl.createNote(locationId, contactId, { body })).id;
    },
  );
}

/** Creates a task (its body must contain the event's ref line). Returns the task id. */
export async function createTask(
  scope: ActionScope,
  step: string,
  task: GhlTaskInput & { body: string },
): Promise<{ id: string; adopted: boolean }> {
  const { ghl, locationId, contactId, inboxEventId } = scope;
  return createOnce(
    scope,
    step,
    async () => (await ghl.listTasks(locationId, contactId)).find((t) => hasRef(t.body, inboxEventId))?.id ?? null,
    async () => {
      const detail = { ref: inboxEventId, step, title: task.title, assignedTo: task.assignedTo ?? null };
      await scope.ownWrites.record(locationId, contactId, 'task', detail, scope.now());
      return (await ghl.createTask(locationId, contactId, task)).id;
    },
  );
}

/**
 * Adds the tags the contact does not have yet (case-insensitive, per the snapshot). No call when none are
 * missing. Adding a tag twice is harmless in GHL, so a plain checkpoint is enough here, and its result may wait
 * for the event's next write.
 */
export async function addMissingTags(scope: ActionScope, step: string, wanted: string[]): Promise<{ added: string[] }> {
  const { ghl, locationId, contactId, inboxEventId } = scope;
  const missing = missingTags(wanted, scope.snapshot.tags);
  const result = await scope.ctx.checkpoint(step, async () => {
    const added = missing;
    if (added.length === 0) return { added, tags: null };
    await scope.ownWrites.record(locationId, contactId, 'tags_added', { ref: inboxEventId, tags: added }, scope.now());
    const reported = await ghl.addTags(locationId, contactId, added);
    const tags = reported.length > 0 ? reported : [...scope.snapshot.tags, ...added];
    scope.snapshot = applyToSnapshot(scope.snapshot, {}, tags);
    await scope.states.saveSnapshot(locationId, scope.snapshot, scope.now());
    return { added, tags };
  }, missing.length === 0 ? { quiet: true } : { deferrable: true });
  if (result.tags) scope.snapshot = applyToSnapshot(scope.snapshot, {}, result.tags);
  return { added: result.added };
}

/**
 * Writes changed contact fields (and DND / custom fields) in one PUT; no call when `update` is empty. The
 * snapshot is saved with the change so the next event sees it without reading the contact again.
 */
export async function updateContact(
  scope: ActionScope,
  step: string,
  update: GhlContactUpdate,
  kinds: { fields: string[]; dnd: boolean; customFields: boolean },
): Promise<{ updated: string[] }> {
  const { locationId, contactId, inboxEventId } = scope;
  const result = await scope.ctx.checkpoint(step, async () => {
    const keys = Object.keys(update);
    if (keys.length === 0) return { updated: [] as string[] };
    const now = scope.now();
    if (kinds.fields.length > 0) {
      const fields = Object.fromEntries(kinds.fields.map((k) => [k, update[k as keyof GhlContactUpdate]]));
      await scope.ownWrites.record(locationId, contactId, 'contact', { ref: inboxEventId, fields }, now);
    }
    if (kinds.dnd) {
      const detail = { ref: inboxEventId, dnd: update.dnd ?? null, dndSettings: update.dndSettings ?? null };
      await scope.ownWrites.record(locationId, contactId, 'dnd', detail, now);
    }
    if (kinds.customFields) {
      await scope.ownWrites.record(locationId, contactId, 'custom_field', { ref: inboxEventId, customFields: update.customFields }, now);
    }
    const sent = await updateSkippingTakenFields(scope, { ...update });
    scope.snapshot = applyToSnapshot(scope.snapshot, sent);
    await scope.states.saveSnapshot(locationId, scope.snapshot, scope.now());
    return { updated: Object.keys(sent) };
  }, Object.keys(update).length === 0 ? { quiet: true } : {});
  return result;
}

/** GHL's 400 when another contact already has the email/phone: `{message, meta: {contactId, matchingField}}`. */
const duplicateBody = z.looseObject({
  meta: z.looseObject({ matchingField: z.enum(['email', 'phone']), contactId: z.string().optional() }),
});

/**
 * PUT the update; when GHL refuses it because another contact already holds the email or phone ("Allow
 * Duplicate Contact" off, ghl-platform.md §7.7), drop that one field and send the rest, so a conflicting
 * identity never blocks the note and task. Returns what was actually written.
 */
async function updateSkippingTakenFields(scope: ActionScope, update: GhlContactUpdate): Promise<GhlContactUpdate> {
  for (;;) {
    try {
      await scope.ghl.updateContact(scope.locationId, scope.contactId, update);
      return update;
    } catch (err) {
      if (!(err instanceof UpstreamError) || err.status !== 400) throw err;
      const parsed = duplicateBody.safeParse(err.body);
      if (!parsed.success) throw err;
      const field = parsed.data.meta.matchingField;
      if (update[field] === undefined) throw err;
      scope.ctx.log.warn(
        { field, otherContactId: parsed.data.meta.contactId ?? null },
        'another GHL contact already has this value; left unchanged',
      );
      delete update[field];
      if (Object.keys(update).length === 0) return update;
    }
  }
}
