import type { Db } from '../database';
import { prepareQuery } from '../prepared-query';
import type { ContactLinksTable } from '../schema';

export type LinkKeyType = ContactLinksTable['key_type'];

/** The identities an event carries. Values are stored as given; callers normalise (email lower-cased, phone E.164). */
export interface LinkKeys {
  subscriberId?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
}

export interface LinkMatch {
  keyType: LinkKeyType;
  keyValue: string;
  contactId: string;
}

/** Resolution order (SPEC §3): Responder's own id is the strongest identity, then email, then phone. */
const ORDER: readonly LinkKeyType[] = ['subscriber', 'email', 'phone'];

/** Turns keys into (type, value) pairs in resolution order, dropping empty ones and lower-casing the email. */
export function linkPairs(keys: LinkKeys): { keyType: LinkKeyType; keyValue: string }[] {
  const values: Record<LinkKeyType, string | undefined> = {
    subscriber: keys.subscriberId?.trim() || undefined,
    email: keys.email?.trim().toLowerCase() || undefined,
    phone: keys.phone?.trim() || undefined,
  };
  return ORDER.flatMap((keyType) => {
    const keyValue = values[keyType];
    return keyValue ? [{ keyType, keyValue }] : [];
  });
}

/** Our link table: Responder subscriber id / email / phone ↔ GHL contact id, per location. */
export class ContactLinkRepository {
  /**
   * Every drained event looks its keys up: one statement for any set of keys, built and compiled once. A key the
   * event lacks is bound as NULL, which `=` never matches.
   */
  private readonly linked;

  constructor(private readonly db: Db) {
    this.linked = prepareQuery(db.statements, (p: Record<LinkKeyType | 'locationId', string | null>) =>
      db.kysely
        .selectFrom('contact_links')
        .select(['key_type', 'key_value', 'ghl_contact_id'])
        .where('location_id', '=', p.locationId)
        .where((eb) =>
          eb.or(ORDER.map((type) => eb.and([eb('key_type', '=', type), eb('key_value', '=', p[type])]))),
        ),
    );
  }

  /** Every key of `keys` that is linked, in resolution order (subscriber → email → phone). */
  async find(locationId: string, keys: LinkKeys): Promise<LinkMatch[]> {
    const pairs = linkPairs(keys);
    if (pairs.length === 0) return [];
    const values: Record<LinkKeyType | 'locationId', string | null> = { locationId, subscriber: null, email: null, phone: null };
    for (const p of pairs) values[p.keyType] = p.keyValue;
    const { rows } = await this.linked(values);
    return rows
      .map((r) => ({ keyType: r.key_type, keyValue: r.key_value, contactId: r.ghl_contact_id }))
      .sort((a, b) => ORDER.indexOf(a.keyType) - ORDER.indexOf(b.keyType));
  }

  /** Points every given key at `contactId` (insert or move), in one statement per key. */
  async link(locationId: string, keys: LinkKeys, contactId: string, now = Date.now()): Promise<void> {
    for (const p of linkPairs(keys)) {
      await this.db.kysely
        .insertInto('contact_links')
        .values({
          location_id: locationId,
          key_type: p.keyType,
          key_value: p.keyValue,
          ghl_contact_id: contactId,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc.columns(['location_id', 'key_type', 'key_value']).doUpdateSet({ ghl_contact_id: contactId, updated_at: now }),
        )
        .execute();
    }
  }

  /** Removes every link to a contact (GHL deleted it, or a ContactDelete webhook arrived). Returns how many. */
  async unlinkContact(locationId: string, contactId: string): Promise<number> {
    const res = await this.db.kysely
      .deleteFrom('contact_links')
      .where('location_id', '=', locationId)
      .where('ghl_contact_id', '=', contactId)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** The keys linked to a contact (panel and diagnostics). */
  async listForContact(locationId: string, contactId: string): Promise<LinkMatch[]> {
    const rows = await this.db.kysely
      .selectFrom('contact_links')
      .select(['key_type', 'key_value', 'ghl_contact_id'])
      .where('location_id', '=', locationId)
      .where('ghl_contact_id', '=', contactId)
      .execute();
    return rows.map((r) => ({ keyType: r.key_type, keyValue: r.key_value, contactId: r.ghl_contact_id }));
  }
}
