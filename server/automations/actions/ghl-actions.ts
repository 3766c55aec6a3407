import type { Action } from '../../../shared/contracts/rules';
import type { GhlContactUpdate } from '../../integrations/ghl/ghl-schemas';
import { businessDayAt } from '../../sync/business-days';
import { addMissingTags, appendNote, createTask, updateContact, type ActionScope } from '../../sync/sync-actions';
import { missingTags, refLine } from '../../sync/sync-mappers';
import { renderTemplate } from '../template-renderer';
import { actionRef, skipped, stepName, type ActionEnv, type PlannedRequest, type StepOutcome } from './action-env';

/*
 * The GHL actions of a rule. Live, each write goes through the sync engine's checkpointed helpers
 * (server/sync/sync-actions.ts): one step per action, own writes recorded before the call, notes and tasks
 * carrying a ref line so a crash between the call and the checkpoint is adopted, not repeated. Dry run plans the
 * same request and sends nothing.
 */

type GhlAction = Extract<
  Action,
  { type: 'add_note' | 'create_task' | 'complete_task' | 'add_tags' | 'remove_tags' | 'set_dnd' | 'update_custom_field' }
>;

/** Ids are path-encoded; `:name` placeholders (dry run of a contact not created yet) stay readable. */
const seg = (id: string) => (id.startsWith(':') ? id : encodeURIComponent(id));
const DND_KEYS = { email: 'Email', sms: 'SMS', whatsapp: 'WhatsApp' } as const;

function scopeFor(env: ActionEnv, contact: NonNullable<ActionEnv['contact']>, ref: string): ActionScope {
  return {
    ghl: env.ghl!,
    states: env.stores!.states,
    ownWrites: env.stores!.ownWrites,
    ctx: env.ctx,
    locationId: env.locationId,
    contactId: contact.id,
    inboxEventId: ref,
    snapshot: contact.snapshot,
    now: env.now,
  };
}

const render = (env: ActionEnv, template: string) => renderTemplate(template, env.scope);
const renderTags = (env: ActionEnv, tags: readonly string[]) =>
  [...new Set(tags.map((t) => render(env, t).trim()).filter(Boolean))];

/** The task's due time: `days` business days after the event at `hour` local time, never in the past. */
export function taskDue(env: Pick<ActionEnv, 'occurredAt' | 'now' | 'timezone'>, days: number, hour: number): string {
  const now = env.now();
  const at = (from: number, offsetDays: number) => businessDayAt(from, { hour, timezone: env.timezone, offsetDays }).toUTC();
  let due = at(Math.min(env.occurredAt, now), days);
  if (due.toMillis() <= now) due = at(now, days);
  if (due.toMillis() <= now) due = at(now, days + 1);
  return due.toISO({ suppressMilliseconds: true })!;
}

/** The task's assignee; round robin takes the next user in turn (checkpointed: a retry keeps the same pick). */
async function assignee(env: ActionEnv, action: Extract<Action, { type: 'create_task' }>, step: string): Promise<{ id?: string; note?: string }> {
  const a = action.assignee;
  if (a.type === 'contact_owner') {
    const owner = env.contact?.snapshot.assignedTo ?? undefined;
    return owner ? { id: owner } : { note: 'the contact has no owner: the task is unassigned' };
  }
  if (a.type === 'user') return { id: a.userId };
  if (env.dryRun || !env.stores) return { id: a.userIds[0]!, note: `round robin over ${a.userIds.length} users (next in turn)` };
  const counters = env.stores.automation;
  const contactId = env.contact?.id ?? '';
  const turn = await env.ctx.checkpoint(`${step}:assignee`, async () =>
    counters
      ? counters.nextCounter(env.locationId, `rr:${env.ruleId}:${step}`, env.now())
      : [...contactId].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7),
  );
  return { id: a.userIds[turn % a.userIds.length]! };
}

/** Runs (or plans) one GHL action on the rule's contact. */
export async function runGhlAction(env: ActionEnv, action: GhlAction, index: number): Promise<StepOutcome> {
  const contact = env.contact;
  if (!contact) return skipped(env, index, action.type, 'no GHL contact for this event');
  const step = stepName(env, index, action.type);
  const ref = actionRef(env, index);
  const base = `/contacts/${seg(contact.id)}`;
  const out = (requests: PlannedRequest[], detail?: Record<string, unknown>): StepOutcome => ({
    ruleId: env.ruleId,
    action: index,
    type: action.type,
    status: env.dryRun ? 'planned' : 'done',
    requests,
    ...(detail ? { detail } : {}),
  });
  const live = !env.dryRun;
  const scope = live ? scopeFor(env, contact, ref) : undefined;
  const keep = () => {
    if (scope) contact.snapshot = scope.snapshot;
  };

  switch (action.type) {
    case 'add_note': {
      const body = `${render(env, action.body)}\n\n${refLine(ref)}`;
      const request: PlannedRequest = { service: 'ghl', method: 'POST', path: `${base}/notes`, body: { body } };
      if (!scope) return out([request]);
      const note = await appendNote(scope, step, body);
      return out([request], { noteId: note.id });
    }
    case 'create_task': {
      const who = await assignee(env, action, step);
      const task = {
        title: render(env, action.title).trim() || 'Follow up',
        body: `${action.body === undefined ? '' : `${render(env, action.body)}\n\n`}${refLine(ref)}`,
        dueDate: taskDue(env, action.dueInBusinessDays, action.dueHour ?? env.taskDueHour),
        completed: false,
        ...(who.id ? { assignedTo: who.id } : {}),
      };
      const request: PlannedRequest = { service: 'ghl', method: 'POST', path: `${base}/tasks`, body: task, ...(who.note ? { note: who.note } : {}) };
      if (!scope) return out([request]);
      const created = await createTask(scope, step, task);
      return out([request], { taskId: created.id, assignedTo: who.id ?? null });
    }
    case 'complete_task': {
      const wanted = (title: string | null | undefined) =>
        !action.titleContains || (title ?? '').toLowerCase().includes(action.titleContains.toLowerCase());
      const plan = (taskId: string): PlannedRequest => ({
        service: 'ghl',
        method: 'PUT',
        path: `${base}/tasks/${seg(taskId)}/completed`,
        body: { completed: true },
      });
      if (!env.ghl || !env.contactIsReal) {
        return out([{ ...plan(':taskId'), note: `each open task${action.titleContains ? ` whose title contains "${action.titleContains}"` : ''}` }]);
      }
      const ghl = env.ghl;
      const run = async () => {
        const open = (await ghl.listTasks(env.locationId, contact.id)).filter((t) => !t.completed && wanted(t.title));
        if (env.dryRun) return open.map((t) => t.id);
        for (const t of open) {
          await env.stores!.ownWrites.record(env.locationId, contact.id, 'task', { ref, taskId: t.id, completed: true }, env.now());
          await ghl.completeTask(env.locationId, contact.id, t.id, true);
        }
        return open.map((t) => t.id);
      };
      const ids = env.dryRun ? await run() : await env.ctx.checkpoint(step, run);
      return out(ids.map(plan), { completedTaskIds: ids });
    }
    case 'add_tags': {
      const wanted = missingTags(renderTags(env, action.tags), contact.snapshot.tags);
      const request: PlannedRequest = { service: 'ghl', method: 'POST', path: `${base}/tags`, body: { tags: wanted } };
      if (!scope) return wanted.length === 0 ? out([], { tagsAdded: [] }) : out([request]);
      const { added } = await addMissingTags(scope, step, wanted);
      keep();
      return out(added.length > 0 ? [{ ...request, body: { tags: added } }] : [], { tagsAdded: added });
    }
    case 'remove_tags': {
      const have = new Map(contact.snapshot.tags.map((t) => [t.trim().toLowerCase(), t]));
      const wanted = renderTags(env, action.tags);
      // Only tags the contact has, when its tags are known; else every named tag (removing a missing tag is harmless).
      const tags = contact.snapshot.tags.length > 0 ? wanted.filter((t) => have.has(t.toLowerCase())) : wanted;
      const request: PlannedRequest = { service: 'ghl', method: 'DELETE', path: `${base}/tags`, body: { tags } };
      if (tags.length === 0) return out([], { tagsRemoved: [] });
      if (!scope) return out([request]);
      const result = await env.ctx.checkpoint(step, async () => {
        await env.stores!.ownWrites.record(env.locationId, contact.id, 'tags_removed', { ref, tags }, env.now());
        const reported = await env.ghl!.removeTags(env.locationId, contact.id, tags);
        const gone = new Set(tags.map((t) => t.toLowerCase()));
        return { tags: reported.length > 0 ? reported : contact.snapshot.tags.filter((t) => !gone.has(t.toLowerCase())) };
      });
      contact.snapshot = { ...contact.snapshot, tags: result.tags };
      await env.stores!.states.saveSnapshot(env.locationId, contact.snapshot, env.now());
      return out([request], { tagsRemoved: tags });
    }
    case 'set_dnd': {
      const update: GhlContactUpdate =
        action.channel === 'all'
          ? { dnd: action.enabled }
          : {
              dndSettings: {
                [DND_KEYS[action.channel]]: {
                  status: action.enabled ? 'active' : 'inactive',
                  message: `Set by automation "${env.ruleName}"`,
                  code: 'automation',
                },
              },
            };
      const request: PlannedRequest = { service: 'ghl', method: 'PUT', path: base, body: update };
      if (!scope) return out([request]);
      await updateContact(scope, step, update, { fields: [], dnd: true, customFields: false });
      keep();
      return out([request]);
    }
    case 'update_custom_field': {
      const update: GhlContactUpdate = { customFields: [{ id: action.fieldId, field_value: render(env, action.value) }] };
      const request: PlannedRequest = { service: 'ghl', method: 'PUT', path: base, body: update };
      if (!scope) return out([request]);
      await updateContact(scope, step, update, { fields: [], dnd: false, customFields: true });
      keep();
      return out([request]);
    }
  }
}
