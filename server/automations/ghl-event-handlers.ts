import type { z } from 'zod';
import type { AutomationRule } from '../../shared/contracts/rules';
import type { AutomationRepository } from '../db/repositories/automation-repository';
import type { ContactLinkRepository } from '../db/repositories/contact-link-repository';
import type { ContactStateRepository } from '../db/repositories/contact-state-repository';
import type { LocationSettingsRepository } from '../db/repositories/location-settings-repository';
import type { OwnWriteRepository } from '../db/repositories/own-write-repository';
import { AppError } from '../errors';
import type { GhlClient } from '../integrations/ghl/ghl-client';
import type { GhlContact } from '../integrations/ghl/ghl-schemas';
import type { EventHandler, HandlerContext, HandlerResult } from '../jobs/inbox-worker';
import type { Logger } from '../logger';
import { zoneOrDefault } from '../sync/business-days';
import type { ResponderPort } from './actions/action-env';
import { COLLAPSIBLE_TYPES, DEFAULT_BURST_WINDOW_MS, collapseBurst } from './burst-collapse';
import { diffContact, diffFromNothing, hasBaseline, isEmptyDiff, type ContactDiff } from './contact-diff';
import { GhlContactWebhook, GhlNoteWebhook, GhlTaskWebhook, contactFromWebhook } from './ghl-webhook-payloads';
import { OWN_WRITE_WINDOW_MS, dropOwnChanges, isOwnRecord, isOwnTaskCompletion } from './loop-guard';
import { rulesOfSettings } from './location-rules';
import { ghlEventScope } from './rule-scope';
import { runRules, summariseRuns, type BaseEnv } from './rule-runner';

export interface GhlAutomationDeps {
  ghl: GhlClient;
  states: ContactStateRepository;
  ownWrites: OwnWriteRepository;
  links: ContactLinkRepository;
  settings: LocationSettingsRepository;
  automation: AutomationRepository;
  /** The location's Responder Live client and default lists; null/absent when not connected. */
  responderFor?: (locationId: string) => Promise<ResponderPort | null>;
  timezoneOf?: (locationId: string) => Promise<string | null | undefined>;
  logger: Logger;
  now?: () => number;
  /** Updates of one contact closer together than this are one run (default 10 s). */
  burstWindowMs?: number;
  /** A burst is cut after this long even if updates keep coming (default 6 windows). */
  burstMaxWaitMs?: number;
}

export const GHL_AUTOMATION_EVENTS = [
  'ContactCreate', 'ContactUpdate', 'ContactTagUpdate', 'ContactDndUpdate', 'ContactDelete', 'NoteCreate', 'TaskCreate', 'TaskComplete',
] as const;

function parse<S extends z.ZodType>(schema: S, ctx: HandlerContext): z.output<S> {
  const parsed = schema.safeParse(ctx.payload);
  if (!parsed.success) {
    throw new AppError(422, 'invalid_payload', `Stored GHL ${ctx.event.event_type} webhook does not validate`, {
      details: parsed.error.issues,
    });
  }
  return parsed.data;
}

/** The change a contact run works with: everything, and without the app's own writes. */
interface ChangeView {
  full: ContactDiff;
  user: ContactDiff;
  dropped: string[];
  /** Every change was the app's own (or, with no earlier state, the app wrote to the contact just now). */
  fromApp: boolean;
}

/**
 * The inbox handlers of GHL's contact, note and task webhooks (issue 5 §2–3): diff against the last seen
 * contact, collapse bursts, drop the app's own changes, then run the location's GHL rules. One handler per event
 * type, to register beside INSTALL/UNINSTALL in the worker's `resolveHandler`.
 */
export function createGhlEventHandlers(deps: GhlAutomationDeps): Record<(typeof GHL_AUTOMATION_EVENTS)[number], EventHandler> {
  const now = deps.now ?? Date.now;
  const windowMs = deps.burstWindowMs ?? DEFAULT_BURST_WINDOW_MS;
  const maxWaitMs = deps.burstMaxWaitMs ?? windowMs * 6;

  async function locationOf(ctx: HandlerContext) {
    const locationId = ctx.event.location_id;
    if (!locationId) throw new AppError(422, 'no_location', 'GHL webhook has no location');
    const settings = await deps.settings.getVersioned(locationId);
    const timezone = zoneOrDefault(settings.settings.defaults.timezone ?? (await deps.timezoneOf?.(locationId)));
    return { locationId, settings: settings.settings, rules: rulesOfSettings(settings), timezone };
  }

  async function run(
    ctx: HandlerContext,
    loc: Awaited<ReturnType<typeof locationOf>>,
    input: {
      events: string[];
      contact: { id: string; snapshot: GhlContact };
      scopeFor: (diff?: ContactDiff) => Record<string, unknown>;
      change?: ChangeView;
      /** Note/Task events: the record is the app's own. */
      ownRecord?: boolean;
      text?: string;
    },
  ): Promise<ReturnType<typeof summariseRuns>> {
    const occurredAt = ctx.event.received_at;
    const responderFor = deps.responderFor;
    let port: Promise<ResponderPort | null> | undefined;
    const records = await runRules({
      rules: loc.rules,
      source: 'ghl',
      events: input.events,
      locationDryRun: loc.settings.dryRun,
      prepare: (rule: AutomationRule) => {
        const own = rule.allowOwnChanges === true;
        let diff: ContactDiff | undefined;
        let fromApp = input.ownRecord === true;
        if (input.change) {
          diff = own ? input.change.full : input.change.user;
          fromApp = input.change.fromApp;
          if (!own && input.change.fromApp) return { skip: 'only changes the app itself made' };
          if (diff.baseline && isEmptyDiff(diff)) return { skip: 'nothing changed' };
        }
        if (input.ownRecord && !own) return { skip: 'written by the app itself' };
        const scope = input.scopeFor(diff);
        const env: BaseEnv = {
          locationId: loc.locationId,
          inboxEventId: ctx.event.id,
          ctx,
          ghl: deps.ghl,
          stores: { states: deps.states, ownWrites: deps.ownWrites, links: deps.links, automation: deps.automation },
          contact: input.contact,
          contactIsReal: true,
          scope,
          diff,
          fromApp,
          timezone: loc.timezone,
          taskDueHour: loc.settings.defaults.taskDueHour,
          occurredAt,
          responder: () => (port ??= responderFor ? responderFor(loc.locationId) : Promise.resolve(null)),
          now,
        };
        return {
          env,
          facts: { scope, diff, text: input.text, locationKeywords: loc.settings.defaults.followUpKeywords },
        };
      },
    });
    return summariseRuns(records);
  }

  /** ContactCreate / ContactUpdate / ContactTagUpdate / ContactDndUpdate. */
  const contactChange: EventHandler = async (ctx): Promise<HandlerResult> => {
    const first = parse(GhlContactWebhook, ctx);
    const contactId = first.id;
    await ctx.setContactId(contactId);
    const loc = await locationOf(ctx);
    const collapsible = (COLLAPSIBLE_TYPES as readonly string[]).includes(ctx.event.event_type);
    const burst = collapsible
      ? await collapseBurst(ctx, deps.automation, { windowMs, maxWaitMs, now, contactId })
      : { folded: [], types: [ctx.event.event_type], payload: ctx.payload };
    const latest = GhlContactWebhook.safeParse(burst.payload);
    const payload = latest.success ? latest.data : first;

    const view = await ctx.checkpoint<ChangeView & { after: GhlContact }>('diff', async () => {
      const before = (await deps.states.get(loc.locationId, contactId))?.snapshot;
      const after = contactFromWebhook(payload, before);
      const full =
        ctx.event.event_type === 'ContactCreate' && !hasBaseline(before) ? diffFromNothing(after) : diffContact(before, after);
      const writes = await deps.ownWrites.recent(loc.locationId, contactId, now() - OWN_WRITE_WINDOW_MS);
      const { diff: user, dropped } = dropOwnChanges(full, writes);
      const fromApp = (!isEmptyDiff(full) && isEmptyDiff(user)) || (!full.baseline && isEmptyDiff(full) && writes.length > 0);
      return { full, user, dropped, fromApp, after };
    });
    // After the diff is checkpointed: a retry must see the same change, not an empty one.
    await deps.states.saveSnapshot(loc.locationId, view.after, now());

    const contact = { id: contactId, snapshot: view.after };
    const summary = await run(ctx, loc, {
      events: burst.types,
      contact,
      change: view,
      scopeFor: (diff) =>
        ghlEventScope({
          eventType: ctx.event.event_type,
          eventId: ctx.event.id,
          occurredAt: new Date(ctx.event.received_at).toISOString(),
          timezone: loc.timezone,
          locationId: loc.locationId,
          contact: contact.snapshot,
          diff,
        }),
    });
    return {
      contactId,
      summary: { ...summary, collapsed: burst.folded, events: burst.types, changes: view.user, ownChangesDropped: view.dropped },
    };
  };

  /** ContactDelete: the rules run (Responder actions need the links), then the contact's links and state go. */
  const contactDelete: EventHandler = async (ctx) => {
    const payload = parse(GhlContactWebhook, ctx);
    await ctx.setContactId(payload.id);
    const loc = await locationOf(ctx);
    const before = (await deps.states.get(loc.locationId, payload.id))?.snapshot;
    const contact = { id: payload.id, snapshot: contactFromWebhook(payload, before) };
    const summary = await run(ctx, loc, {
      events: ['ContactDelete'],
      contact,
      scopeFor: () =>
        ghlEventScope({
          eventType: 'ContactDelete',
          eventId: ctx.event.id,
          occurredAt: new Date(ctx.event.received_at).toISOString(),
          timezone: loc.timezone,
          locationId: loc.locationId,
          contact: contact.snapshot,
        }),
    });
    const unlinked = await deps.links.unlinkContact(loc.locationId, payload.id);
    await deps.states.delete(loc.locationId, payload.id);
    return { contactId: payload.id, summary: { ...summary, unlinked } };
  };

  /** The contact of a Note/Task event: the last seen state, else just its id (no extra GHL read per event). */
  async function knownContact(locationId: string, contactId: string): Promise<{ id: string; snapshot: GhlContact }> {
    const snapshot = (await deps.states.get(locationId, contactId))?.snapshot;
    return { id: contactId, snapshot: snapshot ?? { id: contactId, tags: [], customFields: [] } };
  }

  const noteCreate: EventHandler = async (ctx) => {
    const note = parse(GhlNoteWebhook, ctx);
    await ctx.setContactId(note.contactId);
    const loc = await locationOf(ctx);
    const writes = await deps.ownWrites.recent(loc.locationId, note.contactId, now() - OWN_WRITE_WINDOW_MS);
    const contact = await knownContact(loc.locationId, note.contactId);
    const body = note.body ?? '';
    const summary = await run(ctx, loc, {
      events: ['NoteCreate'],
      contact,
      ownRecord: isOwnRecord('note', body, writes),
      text: body,
      scopeFor: () =>
        ghlEventScope({
          eventType: 'NoteCreate',
          eventId: ctx.event.id,
          occurredAt: note.dateAdded ?? new Date(ctx.event.received_at).toISOString(),
          timezone: loc.timezone,
          locationId: loc.locationId,
          contact: contact.snapshot,
          note: { id: note.id, body },
        }),
    });
    return { contactId: note.contactId, summary };
  };

  const taskEvent: EventHandler = async (ctx) => {
    const task = parse(GhlTaskWebhook, ctx);
    await ctx.setContactId(task.contactId);
    const loc = await locationOf(ctx);
    const writes = await deps.ownWrites.recent(loc.locationId, task.contactId, now() - OWN_WRITE_WINDOW_MS);
    const contact = await knownContact(loc.locationId, task.contactId);
    const type = ctx.event.event_type;
    const own = type === 'TaskComplete' ? isOwnTaskCompletion(task.id, writes) : isOwnRecord('task', task.body, writes);
    const fields = { id: task.id, title: task.title ?? '', body: task.body ?? '', assignedTo: task.assignedTo ?? '', dueDate: task.dueDate ?? '' };
    const summary = await run(ctx, loc, {
      events: [type],
      contact,
      ownRecord: own,
      text: [fields.title, fields.body].filter(Boolean).join('\n'),
      scopeFor: () =>
        ghlEventScope({
          eventType: type,
          eventId: ctx.event.id,
          occurredAt: new Date(ctx.event.received_at).toISOString(),
          timezone: loc.timezone,
          locationId: loc.locationId,
          contact: contact.snapshot,
          task: fields,
        }),
    });
    return { contactId: task.contactId, summary };
  };

  return {
    ContactCreate: contactChange,
    ContactUpdate: contactChange,
    ContactTagUpdate: contactChange,
    ContactDndUpdate: contactChange,
    ContactDelete: contactDelete,
    NoteCreate: noteCreate,
    TaskCreate: taskEvent,
    TaskComplete: taskEvent,
  };
}
