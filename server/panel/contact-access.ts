import { UpstreamError } from '../errors';
import { notFound } from '../errors';
import type { GhlClient } from '../integrations/ghl/ghl-client';
import type { GhlContact, GhlUser } from '../integrations/ghl/ghl-schemas';
import { TtlCache } from '../ttl-cache';

/** A verified contact stays verified this long, so opening one contact view costs one GHL read, not five. */
const VERIFIED_TTL_MS = 30_000;
const USERS_TTL_MS = 60_000;

/*
 * Any refusal of a read by id (400 bad id, 403 another location's contact — GHL's 401 "The token does not have
 * access to this location", which the client classifies as permanent 403 — 404, 422) reads as "no such contact
 * here".
 */
function isRefusal(err: unknown): boolean {
  return err instanceof UpstreamError && err.kind === 'permanent';
}

const keyOf = (locationId: string, contactId: string) => `${locationId}\u0000${contactId}`;

/**
 * The tenant wall of the panel API (issue 6, issue 7 §5): every contact route first proves the contact belongs
 * to the session's location. GHL answers with the location's own token, so another location's contact is a
 * refusal or a record whose `locationId` differs; both become 404 `not_found`, never a hint that it exists
 * elsewhere. Task and note ids are only ever addressed under a contact that passed this check.
 */
export class ContactAccess {
  private readonly verified: TtlCache<true>;
  private readonly users: TtlCache<Promise<GhlUser[]>>;

  constructor(
    private readonly ghl: GhlClient,
    clock: () => number = Date.now,
  ) {
    this.verified = new TtlCache(VERIFIED_TTL_MS, 10_000, clock);
    this.users = new TtlCache(USERS_TTL_MS, 1_000, clock);
  }

  /** Reads the contact from GHL; 404 `not_found` unless it is a contact of `locationId`. */
  async load(locationId: string, contactId: string): Promise<GhlContact> {
    let contact: GhlContact;
    try {
      contact = await this.ghl.getContact(locationId, contactId);
    } catch (err) {
      if (isRefusal(err)) {
        this.verified.delete(keyOf(locationId, contactId));
        throw notFound('Contact');
      }
      throw err;
    }
    if (contact.id !== contactId || (contact.locationId && contact.locationId !== locationId)) {
      throw notFound('Contact');
    }
    this.verified.set(keyOf(locationId, contactId), true);
    return contact;
  }

  /** Same check as load(), answered from a recent successful check when there is one. */
  async assert(locationId: string, contactId: string): Promise<void> {
    if (this.verified.get(keyOf(locationId, contactId))) return;
    await this.load(locationId, contactId);
  }

  /** Forgets a contact GHL just said is gone (a write under it answered 404). */
  forget(locationId: string, contactId: string): void {
    this.verified.delete(keyOf(locationId, contactId));
  }

  /** The location's users (owner names, assignee picker), cached briefly; a failed read is not cached. */
  async listUsers(locationId: string): Promise<GhlUser[]> {
    const cached = this.users.get(locationId);
    if (cached) return cached;
    const pending = this.ghl.listUsers(locationId);
    this.users.set(locationId, pending);
    try {
      return await pending;
    } catch (err) {
      this.users.delete(locationId);
      throw err;
    }
  }
}
