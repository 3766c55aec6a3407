import { UpstreamError } from '../errors';
import {
  linkPairs,
  type ContactLinkRepository,
  type LinkKeys,
} from '../db/repositories/contact-link-repository';
import type { ContactStateRepository } from '../db/repositories/contact-state-repository';
import type { GhlClient } from '../integrations/ghl/ghl-client';
import type { GhlContact } from '../integrations/ghl/ghl-schemas';
import type { Logger } from '../logger';
import type { ResolutionLock } from './resolution-lock';
import type { ContactFieldInput } from './sync-mappers';

export type ResolvedVia = 'link' | 'email' | 'phone' | 'upsert';

export interface Resolution {
  contactId: string;
  /** True when GHL created the contact (upsert answered `new: true`). */
  created: boolean;
  via: ResolvedVia;
  /** The contact as last seen: our snapshot, or what GHL returned while resolving. */
  contact: GhlContact;
}

export interface ResolveRequest {
  locationId: string;
  keys: LinkKeys;
  /** What an upsert creates the contact with (name, email, phone). */
  fields: ContactFieldInput;
}

/**
 * True when GHL says the contact is gone: 404 (the client maps GET/DELETE "not found" to it), or the 400
 * "Contact not found" GHL answers on writes under /contacts/{id}/… (NestJS id validation).
 */
export function isContactGone(err: unknown): boolean {
  if (!(err instanceof UpstreamError) || err.service !== 'ghl') return false;
  if (err.status === 404) return true;
  return err.status === 400 && /\bcontact (?:not found|does not exist)/i.test(err.message);
}

/** Guards against a contact that keeps vanishing between our lookup and our use of it. */
const MAX_ROUNDS = 3;

/**
 * Finds the GHL contact for an event without creating duplicates (SPEC §3): our link table (subscriber id →
 * email → phone), then GHL's duplicate search by email and by E.164 phone, then upsert. Everything past the
 * link table runs under the location's resolution lock, so an email-only and a phone-only event for one
 * person arriving together cannot both create a contact; every known key is linked before the lock is freed.
 */
export class ContactResolver {
  constructor(
    private readonly deps: {
      ghl: GhlClient;
      links: ContactLinkRepository;
      states: ContactStateRepository;
      lock: ResolutionLock;
      logger: Logger;
    },
  ) {}

  async resolve(req: ResolveRequest): Promise<Resolution> {
    // Fast path without the lock: every key the event carries already points at one contact. Nothing is
    // created or re-linked here, so there is nothing to race with.
    const pairs = linkPairs(req.keys);
    const matches = await this.deps.links.find(req.locationId, req.keys);
    const ids = new Set(matches.map((m) => m.contactId));
    if (pairs.length > 0 && matches.length === pairs.length && ids.size === 1) {
      const contactId = matches[0]!.contactId;
      const contact = await this.known(req.locationId, contactId);
      if (contact) return { contactId, created: false, via: 'link', contact };
    }
    return this.deps.lock.run(req.locationId, () => this.resolveLocked(req));
  }

  /** Drops what we know of a contact GHL no longer has (links and snapshot), so the next resolve looks again. */
  async forget(locationId: string, contactId: string): Promise<void> {
    const removed = await this.deps.links.unlinkContact(locationId, contactId);
    await this.deps.states.delete(locationId, contactId);
    this.deps.logger.warn({ locationId, contactId, linksRemoved: removed }, 'linked GHL contact is gone; unlinked');
  }

  private async resolveLocked(req: ResolveRequest): Promise<Resolution> {
    const { ghl, links, states } = this.deps;
    const { locationId, keys } = req;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const first = (await links.find(locationId, keys))[0];
      if (first) {
        const contact = await this.known(locationId, first.contactId);
        if (!contact) continue;
        await links.link(locationId, keys, first.contactId);
        return { contactId: first.contactId, created: false, via: 'link', contact };
      }

      let via: ResolvedVia = 'email';
      let contact = keys.email ? await ghl.findDuplicate(locationId, { email: keys.email }) : null;
      // GHL's duplicate search matches phones as stored (E.164); a raw, un-normalisable number is left to upsert.
      if (!contact && keys.phone?.startsWith('+')) {
        via = 'phone';
        contact = await ghl.findDuplicate(locationId, { phone: keys.phone });
      }
      let created = false;
      if (!contact) {
        via = 'upsert';
        const res = await ghl.upsertContact(locationId, { ...req.fields, source: 'Responder Live' });
        contact = res.contact;
        created = res.created;
      }
      await states.saveSnapshot(locationId, contact);
      await links.link(locationId, keys, contact.id);
      return { contactId: contact.id, created, via, contact };
    }
    throw new Error(`Contact for location ${locationId} disappeared ${MAX_ROUNDS} times while resolving`);
  }

  /** The linked contact from our snapshot, else from GHL; null (and forgotten) when GHL no longer has it. */
  private async known(locationId: string, contactId: string): Promise<GhlContact | null> {
    const state = await this.deps.states.get(locationId, contactId);
    if (state?.snapshot) return state.snapshot;
    try {
      const contact = await this.deps.ghl.getContact(locationId, contactId);
      await this.deps.states.saveSnapshot(locationId, contact);
      return contact;
    } catch (err) {
      if (!isContactGone(err)) throw err;
      await this.forget(locationId, contactId);
      return null;
    }
  }
}
