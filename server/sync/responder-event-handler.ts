import type { ResponderPort } from '../automations/actions/action-env';
import { runResponderRules, type ResponderRulesOutcome } from '../automations/responder-rules';
import type { AutomationRepository } from '../db/repositories/automation-repository';
import { AppError } from '../errors';
import { linkPairs, type ContactLinkRepository } from '../db/repositories/contact-link-repository';
import type { ContactStateRepository } from '../db/repositories/contact-state-repository';
import type { LocationSettingsRepository } from '../db/repositories/location-settings-repository';
import type { MessageRepository } from '../db/repositories/message-repository';
import type { OwnWriteRepository } from '../db/repositories/own-write-repository';
import type { ResolutionLockRepository } from '../db/repositories/resolution-lock-repository';
import type { GhlClient } from '../integrations/ghl/ghl-client';
import type { GhlContact, GhlContactUpdate } from '../integrations/ghl/ghl-schemas';
import { responderEventSchema, type ResponderEvent } from '../integrations/responder/responder-event';
import type { CountryCode } from '../integrations/responder/responder-phone';
import type { EventHandler, HandlerContext, HandlerResult } from '../jobs/inbox-worker';
import type { Logger } from '../logger';
import { zoneOrDefault } from './business-days';
import { ContactResolver, isContactGone, type Resolution } from './contact-resolver';
import { ResolutionLock } from './resolution-lock';
import { updateContact, type ActionScope } from './sync-actions';
import {
  changedContactFields,
  contactFields,
  contactKeys,
  lastMessageText,
  messageRecord,
  occurredAtMs,
  unsubscribeDnd,
} from './sync-mappers';
import type { LocationSettings } from './sync-settings';
import { TtlCache } from '../ttl-cache';

export interface ResponderEventHandlerDeps {
  ghl: GhlClient;
  links: ContactLinkRepository;
  states: ContactStateRepository;
  messages: MessageRepository;
  ownWrites: OwnWriteRepository;
  settings: LocationSettingsRepository;
  /** The per-location resolution lease table; or pass a ready `resolutionLock` (shared by all handlers). */
  locks?: ResolutionLockRepository;
  resolutionLock?: ResolutionLock;
  logger: Logger;
  /** The location's GHL time zone (e.g. from the installation row) when settings name none. */
  timezoneOf?: (locationId: string) => Promise<string | null | undefined>;
  now?: () => number;
  /** Round-robin counters of the rules' task assignees (optional: spreads by contact id without it). */
  automation?: AutomationRepository;
  /** The location's Responder Live client, for rules that write back to Responder. */
  responderFor?: (locationId: string) => Promise<ResponderPort | null>;
}

/** What the activity log shows for a finished event. */
export interface ResponderSyncSummary {
  created: boolean;
  noteId: string | null;
  taskId: string | null;
  tagsAdded: string[];
  updatedFields: string[];
  followUp: string | null;
  /** The rules that ran and what each step did (or, in dry run, would send). */
  automation: ResponderRulesOutcome['automation'];
}

/** A contact GHL no longer has may be found again this many times within one event before we give up. */
const MAX_GENERATIONS = 3;
/**
 * How long the location's GHL time zone (`timezoneOf`, a read of its installation row) is reused: it was a query
 * per event, and a zone changed in GHL only moves the local times written into notes and tasks meanwhile.
 */
export const LOCATION_ZONE_CACHE_MS = 60_000;

/**
 * Responder Live events through the location's rules (issue 5; the default rules are SPEC seed flows 1 and 3):
 * resolve the contact, write changed fields (and DND on unsubscribe, and the last-message custom field when
 * mapped) for `upsert_contact`, then the rules' note, follow-up task and tags, then the panel's history. Each GHL write is a
 * checkpointed step, so a retry resumes where the last attempt stopped. A known contact with nothing changed
 * costs one or two GHL calls (note, maybe tags or task): the snapshot replaces re-reading the contact.
 */
export function createResponderEventHandler(deps: ResponderEventHandlerDeps): EventHandler {
  const now = deps.now ?? Date.now;
  const lock =
    // Leases are wall-clock time shared with other processes: never the injectable `now`.
    deps.resolutionLock ?? (deps.locks ? new ResolutionLock({ repo: deps.locks }) : undefined);
  if (!lock) throw new Error('createResponderEventHandler needs `locks` or `resolutionLock`');
  // The read itself is kept, so the concurrent events of a location share one.
  const zones = new TtlCache<Promise<string | null>>(LOCATION_ZONE_CACHE_MS, 10_000);
  const locationZone = (locationId: string): Promise<string | null> => {
    let zone = zones.get(locationId);
    if (zone === undefined) {
      const read = Promise.resolve(deps.timezoneOf?.(locationId)).then((z) => z ?? null);
      // A failed read is not kept: the next event asks again.
      read.catch(() => zones.get(locationId) === read && zones.delete(locationId));
      zones.set(locationId, read);
      zone = read;
    }
    return zone;
  };
  const resolver = new ContactResolver({
    ghl: deps.ghl,
    links: deps.links,
    states: deps.states,
    lock,
    logger: deps.logger,
  });

  return async (ctx) => {
    const parsed = responderEventSchema.safeParse(ctx.payload);
    if (!parsed.success) {
      throw new AppError(422, 'invalid_payload', 'Stored Responder Live event does not validate', {
        details: parsed.error.issues,
      });
    }
    const event = parsed.data;
    const locationId = ctx.event.location_id;
    if (!locationId) throw new AppError(422, 'no_location', 'Responder Live event has no location');
    if (event.event === 'unknown') {
      return { status: 'ignored', summary: { reason: `Unknown event type "${event.raw_event ?? ''}"` } };
    }
    if (linkPairs(contactKeys(event)).length === 0) {
      // Nothing to find or create a contact by; upserting would make an empty GHL contact per event.
      throw new AppError(422, 'no_contact_identity', 'The event has no subscriber id, email or phone');
    }
    const settings = await deps.settings.get(locationId);
    const timezone = zoneOrDefault(settings.defaults.timezone ?? (await locationZone(locationId)));
    const run: RunInput = { ctx, event, locationId, settings, timezone };

    for (let generation = 0; ; generation += 1) {
      const state: { contactId?: string } = {};
      try {
        return await runDefaultRule(deps, resolver, run, generation, state, now);
      } catch (err) {
        if (!isContactGone(err) || !state.contactId || generation + 1 >= MAX_GENERATIONS) throw err;
        // The linked contact was deleted in GHL: forget it and resolve again under fresh step names, so the
        // checkpoints of the lost contact are not replayed onto the new one.
        ctx.log.warn({ contactId: state.contactId, generation }, 'contact deleted in GHL; resolving again');
        await resolver.forget(locationId, state.contactId);
      }
    }
  };
}

interface RunInput {
  ctx: HandlerContext;
  event: ResponderEvent;
  locationId: string;
  settings: LocationSettings;
  timezone: string;
}

async function runDefaultRule(
  deps: ResponderEventHandlerDeps,
  resolver: ContactResolver,
  { ctx, event, locationId, settings, timezone }: RunInput,
  generation: number,
  state: { contactId?: string },
  now: () => number,
): Promise<HandlerResult> {
  const step = (name: string) => (generation === 0 ? name : `g${generation}:${name}`);
  const country = settings.defaults.country as CountryCode;
  const inboxEventId = ctx.event.id;
  const isMessage = event.event.startsWith('message.');
  const text = isMessage ? lastMessageText(event) : null;
  // A contact found again after GHL lost the first one gets fresh step names (see createResponderEventHandler).
  const stepCtx: HandlerContext = { ...ctx, checkpoint: (name, run, options) => ctx.checkpoint(step(name), run, options) };

  // The rules (automations/default-rules.ts reproduce seed flows 1 and 3) decide what is written; this engine
  // keeps contact resolution and `upsert_contact`: changed fields, DND on unsubscribe, the last-message field.
  const outcome = await runResponderRules({
    ctx: stepCtx,
    event,
    locationId,
    settings,
    rules: settings.rules,
    timezone,
    occurredAt: occurredAtMs(event),
    ghl: deps.ghl,
    stores: { states: deps.states, ownWrites: deps.ownWrites, links: deps.links, automation: deps.automation },
    responderFor: deps.responderFor,
    now,
    resolve: async () => {
      let resolution: Resolution | undefined;
      const resolved = await ctx.checkpoint(
        step('resolve'),
        async () => {
          resolution = await resolver.resolve({ locationId, keys: contactKeys(event), fields: contactFields(event) });
          return { contactId: resolution.contactId, created: resolution.created, via: resolution.via };
        },
        // Only an upsert writes to GHL; links, searches and snapshots are ours or read-only.
        { deferrable: (r) => r.via !== 'upsert' },
      );
      state.contactId = resolved.contactId;
      const snapshot = resolution?.contact ?? (await loadSnapshot(deps, locationId, resolved.contactId));
      return { contactId: resolved.contactId, created: resolved.created, snapshot };
    },
    lookup: () => lookupContact(deps, locationId, event),
    upsertContact: async (name, contact) => {
      const scope: ActionScope = {
        ghl: deps.ghl,
        states: deps.states,
        ownWrites: deps.ownWrites,
        ctx,
        locationId,
        contactId: contact.id,
        inboxEventId,
        snapshot: contact.snapshot,
        now,
      };
      // (b) changed fields, (f) DND on unsubscribe, (g) last-message custom field: one PUT, only when needed.
      const fields = changedContactFields(contactFields(event), scope.snapshot, country);
      const dnd = unsubscribeDnd(event, scope.snapshot, timezone);
      const fieldId = settings.defaults.lastMessageFieldId;
      const update: GhlContactUpdate = { ...fields, ...(dnd ?? {}) };
      if (fieldId && text !== null) update.customFields = [{ id: fieldId, field_value: text }];
      const { updated } = await updateContact(scope, step(name), update, {
        fields: Object.keys(fields),
        dnd: dnd !== null,
        customFields: update.customFields !== undefined,
      });
      return { updated, snapshot: scope.snapshot };
    },
  });

  // (g) history and last message (idempotent writes of our own database; no checkpoint needed)
  const contactId = outcome.contactId;
  if (isMessage && contactId) {
    await deps.messages.insert(messageRecord(event, { locationId, contactId, inboxEventId }), now());
    if (text !== null) {
      await deps.states.recordLastMessage(locationId, contactId, { text, at: occurredAtMs(event) }, now());
    }
  }

  const summary: ResponderSyncSummary = {
    created: outcome.created,
    noteId: outcome.noteId,
    taskId: outcome.taskId,
    tagsAdded: outcome.tagsAdded,
    updatedFields: outcome.updatedFields,
    followUp: outcome.followUp,
    automation: outcome.automation,
  };
  return { status: 'done', ...(contactId ? { contactId } : {}), summary };
}

/** Dry run: the contact the event would resolve to, read-only (links, then GHL's duplicate search); null = new. */
async function lookupContact(deps: ResponderEventHandlerDeps, locationId: string, event: ResponderEvent): Promise<GhlContact | null> {
  const keys = contactKeys(event);
  const linked = (await deps.links.find(locationId, keys))[0];
  if (linked) {
    const state = await deps.states.get(locationId, linked.contactId);
    if (state?.snapshot) return state.snapshot;
  }
  const byEmail = keys.email ? await deps.ghl.findDuplicate(locationId, { email: keys.email }) : null;
  if (byEmail) return byEmail;
  return keys.phone?.startsWith('+') ? deps.ghl.findDuplicate(locationId, { phone: keys.phone }) : null;
}

/** The snapshot of a contact resolved in an earlier attempt; read from GHL when we lost it (404 → resolve again). */
async function loadSnapshot(deps: ResponderEventHandlerDeps, locationId: string, contactId: string): Promise<GhlContact> {
  const state = await deps.states.get(locationId, contactId);
  if (state?.snapshot) return state.snapshot;
  const contact = await deps.ghl.getContact(locationId, contactId);
  await deps.states.saveSnapshot(locationId, contact);
  return contact;
}
