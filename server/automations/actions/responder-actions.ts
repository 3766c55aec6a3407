import type { Action } from '../../../shared/contracts/rules';
import type { GhlContact } from '../../integrations/ghl/ghl-schemas';
import { toResponderPhone } from '../../integrations/responder/responder-phone';
import { RESPONDER_TAG } from '../../sync/sync-mappers';
import { renderTemplate } from '../template-renderer';
import { skipped, stepName, type ActionEnv, type PlannedRequest, type ResponderPort, type StepOutcome } from './action-env';

/*
 * GHL → Responder Live (issue 5 §4): a GHL contact with an email or phone is upserted into Responder lists, with
 * its phone as Responder wants it (Israeli national digits, responder-live.md §4.1) and tags mapped to Responder
 * tag ids (created when missing). DND or the unsubscribe tag marks the subscriber inactive on those lists
 * instead. A change the app itself made (it came from Responder) is never sent back: one hop only (SPEC §3).
 */

type UpsertAction = Extract<Action, { type: 'upsert_responder_subscriber' }>;
type RemoveAction = Extract<Action, { type: 'remove_responder_subscriber' }>;

const key = (t: string) => t.trim().toLowerCase();
/** The app's own marker tags (sync-mappers desiredTags): they describe Responder events, not the person. */
const isAppMarker = (t: string) => key(t) === RESPONDER_TAG || key(t).startsWith('responder:');

/** Whether the contact asked not to be contacted: global DND, email DND, or the unsubscribe tag. */
export function isUnsubscribed(contact: GhlContact, unsubscribeTag: string): boolean {
  if (contact.dnd === true) return true;
  if (contact.dndSettings?.Email?.status === 'active') return true;
  return contact.tags.some((t) => key(t) === key(unsubscribeTag));
}

/** True when this change turned DND off or removed the unsubscribe tag: the person is back. */
function resubscribed(env: ActionEnv, unsubscribeTag: string): boolean {
  const d = env.diff;
  if (!d) return false;
  if (d.tagsRemoved.some((t) => key(t) === key(unsubscribeTag))) return true;
  return d.changes.some(
    (c) => (c.field === 'contact.dnd' && c.to === 'false') || (c.field === 'contact.dndSettings.Email' && c.to === 'inactive'),
  );
}

function subscriberFields(contact: GhlContact): { email?: string; phone?: string; first?: string; last?: string } {
  const out: { email?: string; phone?: string; first?: string; last?: string } = {};
  if (contact.email) out.email = contact.email;
  if (contact.phone) out.phone = contact.phone;
  if (contact.firstName) out.first = contact.firstName;
  if (contact.lastName) out.last = contact.lastName;
  return out;
}

/** The body the client sends for these fields (phone converted as ResponderClient does). */
function wireFields(f: ReturnType<typeof subscriberFields>): Record<string, unknown> {
  return { ...f, ...(f.phone ? { phone: toResponderPhone(f.phone) } : {}) };
}

/** The subscriber id: our link table first, then Responder's search by email. */
async function findSubscriber(env: ActionEnv, port: ResponderPort | null, contact: GhlContact): Promise<number | null> {
  const links = env.stores ? await env.stores.links.listForContact(env.locationId, contact.id) : [];
  const linked = links.find((l) => l.keyType === 'subscriber' && /^\d+$/.test(l.keyValue));
  if (linked) return Number(linked.keyValue);
  if (!port || !contact.email || !env.contactIsReal) return null;
  const found = await port.client.searchSubscribers({ searchKey: contact.email });
  return found.find((s) => s.email?.toLowerCase() === contact.email!.toLowerCase())?.id ?? found[0]?.id ?? null;
}

/** Tag names → Responder tag ids, creating the missing ones (Responder's tags are per account, by name). */
async function tagIds(port: ResponderPort, names: string[]): Promise<number[]> {
  if (names.length === 0) return [];
  const known = new Map((await port.client.listTags()).map((t) => [key(t.name), t.id]));
  const ids: number[] = [];
  for (const name of names) ids.push(known.get(key(name)) ?? (await port.client.createTag(name)));
  return ids;
}

/** Runs (or plans) an upsert of the rule's contact into Responder Live. */
export async function upsertResponderSubscriber(env: ActionEnv, action: UpsertAction, index: number): Promise<StepOutcome> {
  const type = action.type;
  if (env.fromApp) return skipped(env, index, type, 'the change came from the app itself (one hop: not sent back to Responder Live)');
  const contact = env.contact?.snapshot;
  if (!contact) return skipped(env, index, type, 'no GHL contact for this event');
  if (!contact.email && !contact.phone) return skipped(env, index, type, 'the contact has no email or phone');
  const port = await env.responder();
  if (!port && !env.dryRun) return skipped(env, index, type, 'Responder Live is not connected');
  const listIds = action.listIds.length > 0 ? action.listIds : (port?.defaultListIds ?? []);
  if (listIds.length === 0) return skipped(env, index, type, 'no Responder Live list chosen (rule or default lists)');

  const fields = subscriberFields(contact);
  const names = [
    ...action.tags.map((t) => renderTemplate(t, env.scope).trim()),
    ...(action.includeContactTags ? contact.tags.filter((t) => !isAppMarker(t) && key(t) !== key(action.unsubscribeTag)) : []),
  ].filter(Boolean);
  const tagNames = [...new Map(names.map((n) => [key(n), n])).values()];
  const unsubscribed = isUnsubscribed(contact, action.unsubscribeTag);
  const back = !unsubscribed && resubscribed(env, action.unsubscribeTag);
  const outcome = (status: 'done' | 'planned', requests: PlannedRequest[], detail: Record<string, unknown>): StepOutcome => ({
    ruleId: env.ruleId,
    action: index,
    type,
    status,
    requests,
    detail,
  });
  const membership = (id: number | string, inactive: boolean): PlannedRequest[] =>
    listIds.map((l) => ({ service: 'responder', method: 'PUT', path: `/lists/${l}/subscribers/${id}`, body: { inactive } }));

  if (env.dryRun) {
    const known = await findSubscriber(env, port, contact);
    const id = known ?? ':subscriberId';
    if (unsubscribed) return outcome('planned', membership(id, true), { unsubscribed: true });
    const requests: PlannedRequest[] = [];
    if (tagNames.length > 0) requests.push({ service: 'responder', method: 'POST', path: '/tags/subscribers', body: { name: '<each missing tag>' }, note: `tags ${tagNames.join(', ')}` });
    const tags = tagNames.length > 0 ? { tags: `<ids of ${tagNames.join(', ')}>` } : {};
    requests.push(
      known !== null
        ? { service: 'responder', method: 'PUT', path: `/subscribers/${known}`, body: { ...wireFields(fields), ...tags } }
        : { service: 'responder', method: 'POST', path: '/subscribers', body: { list_ids: listIds, ...wireFields(fields), ...tags } },
    );
    if (back) requests.push(...membership(id, false));
    return outcome('planned', requests, { tags: tagNames });
  }

  const live = port!;
  const result = await env.ctx.checkpoint(stepName(env, index, type), async () => {
    const known = await findSubscriber(env, live, contact);
    const requests: PlannedRequest[] = [];
    if (unsubscribed) {
      if (known === null) return { subscriberId: null, requests, unsubscribed: true };
      for (const listId of listIds) await live.client.updateListMembership(listId, known, { inactive: true });
      return { subscriberId: known, requests: membership(known, true), unsubscribed: true };
    }
    const tags = await tagIds(live, tagNames);
    const withTags = { ...fields, ...(tags.length > 0 ? { tags } : {}) };
    let id = known;
    if (id === null) {
      const created = await live.client.createSubscriber({ listIds, ...withTags });
      requests.push({ service: 'responder', method: 'POST', path: '/subscribers', body: { list_ids: listIds, ...wireFields(fields), ...(tags.length ? { tags } : {}) } });
      id = created.id;
      // An existing subscriber (same email) is not updated by POST /subscribers: update it explicitly.
      if (created.duplicate) {
        await live.client.updateSubscriber(id, withTags);
        requests.push({ service: 'responder', method: 'PUT', path: `/subscribers/${id}`, body: { ...wireFields(fields), ...(tags.length ? { tags } : {}) } });
      }
    } else {
      await live.client.updateSubscriber(id, withTags);
      requests.push({ service: 'responder', method: 'PUT', path: `/subscribers/${id}`, body: { ...wireFields(fields), ...(tags.length ? { tags } : {}) } });
    }
    if (back) {
      for (const listId of listIds) await live.client.updateListMembership(listId, id, { inactive: false });
      requests.push(...membership(id, false));
    }
    await env.stores?.links.link(env.locationId, { subscriberId: String(id) }, contact.id, env.now());
    return { subscriberId: id, requests, unsubscribed: false };
  });
  return outcome('done', result.requests, {
    subscriberId: result.subscriberId,
    unsubscribed: result.unsubscribed,
    ...(result.unsubscribed && result.subscriberId === null ? { note: 'not in Responder Live: nothing to unsubscribe' } : {}),
  });
}

/** Marks the contact's subscriber inactive on one list. */
export async function removeResponderSubscriber(env: ActionEnv, action: RemoveAction, index: number): Promise<StepOutcome> {
  const type = action.type;
  if (env.fromApp) return skipped(env, index, type, 'the change came from the app itself (one hop: not sent back to Responder Live)');
  const contact = env.contact?.snapshot;
  if (!contact) return skipped(env, index, type, 'no GHL contact for this event');
  const port = await env.responder();
  if (!port && !env.dryRun) return skipped(env, index, type, 'Responder Live is not connected');
  const plan = (id: number | string): PlannedRequest => ({
    service: 'responder',
    method: 'PUT',
    path: `/lists/${action.listId}/subscribers/${id}`,
    body: { inactive: true },
  });
  if (env.dryRun) {
    const id = (await findSubscriber(env, port, contact)) ?? ':subscriberId';
    return { ruleId: env.ruleId, action: index, type, status: 'planned', requests: [plan(id)] };
  }
  const id = await env.ctx.checkpoint(stepName(env, index, type), async () => {
    const found = await findSubscriber(env, port, contact);
    if (found !== null) await port!.client.updateListMembership(action.listId, found, { inactive: true });
    return found;
  });
  if (id === null) return skipped(env, index, type, 'the contact is not a Responder Live subscriber');
  return { ruleId: env.ruleId, action: index, type, status: 'done', requests: [plan(id)], detail: { subscriberId: id } };
}
