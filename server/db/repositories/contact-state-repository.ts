import type { Selectable } from 'kysely';
import { GhlContact } from '../../integrations/ghl/ghl-schemas';
import type { Db } from '../database';
import { prepareQuery } from '../prepared-query';
import type { ContactStatesTable } from '../schema';

/** What we last knew of a GHL contact, and the last Responder Live message that reached it. */
export interface ContactState {
  contactId: string;
  /** The last seen GHL contact; null when the stored JSON no longer parses (treated as unknown). */
  snapshot: GhlContact | null;
  lastMessageAt: number | null;
  lastMessageText: string | null;
  updatedAt: number;
}

function parseSnapshot(json: string): GhlContact | null {
  try {
    const parsed = GhlContact.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Last seen state per contact. The snapshot lets the sync engine send only changed fields without re-reading
 * the contact (≤ 2 GHL calls per event) and lets ContactUpdate webhooks know what changed (issue 5).
 */
export class ContactStateRepository {
  // Each drained event reads the state and writes its last message: built and compiled once.
  private readonly row;
  private readonly upsertLastMessage;

  constructor(private readonly db: Db) {
    this.row = prepareQuery(db.statements, (p: { locationId: string; contactId: string }) =>
      db.kysely
        .selectFrom('contact_states')
        .selectAll()
        .where('location_id', '=', p.locationId)
        .where('ghl_contact_id', '=', p.contactId),
    );
    this.upsertLastMessage = prepareQuery(db.statements, (p: Selectable<ContactStatesTable>) =>
      db.kysely
        .insertInto('contact_states')
        .values({
          location_id: p.location_id,
          ghl_contact_id: p.ghl_contact_id,
          snapshot: p.snapshot,
          last_message_at: p.last_message_at,
          last_message_text: p.last_message_text,
          updated_at: p.updated_at,
        })
        .onConflict((oc) =>
          oc
            .columns(['location_id', 'ghl_contact_id'])
            .doUpdateSet({ last_message_at: p.last_message_at, last_message_text: p.last_message_text, updated_at: p.updated_at })
            .where((eb) =>
              eb.or([
                eb('contact_states.last_message_at', 'is', null),
                eb('contact_states.last_message_at', '<=', p.last_message_at),
              ]),
            ),
        ),
    );
  }

  async get(locationId: string, contactId: string): Promise<ContactState | undefined> {
    const [row] = (await this.row({ locationId, contactId })).rows;
    if (!row) return undefined;
    return {
      contactId: row.ghl_contact_id,
      snapshot: parseSnapshot(row.snapshot),
      lastMessageAt: row.last_message_at,
      lastMessageText: row.last_message_text,
      updatedAt: row.updated_at,
    };
  }

  /** Stores the contact as last seen; the last-message columns are left as they are. */
  async saveSnapshot(locationId: string, snapshot: GhlContact, now = Date.now()): Promise<void> {
    const json = JSON.stringify(snapshot);
    await this.db.kysely
      .insertInto('contact_states')
      .values({
        location_id: locationId,
        ghl_contact_id: snapshot.id,
        snapshot: json,
        last_message_at: null,
        last_message_text: null,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['location_id', 'ghl_contact_id']).doUpdateSet({ snapshot: json, updated_at: now }),
      )
      .execute();
  }

  /**
   * Keeps the newest message per contact. Events may be processed out of time order (retries), so an older
   * message never replaces a newer one. Returns true when this message became the last one.
   */
  async recordLastMessage(
    locationId: string,
    contactId: string,
    message: { text: string; at: number },
    now = Date.now(),
  ): Promise<boolean> {
    const res = await this.upsertLastMessage({
      location_id: locationId,
      ghl_contact_id: contactId,
      snapshot: JSON.stringify({ id: contactId }),
      last_message_at: message.at,
      last_message_text: message.text,
      updated_at: now,
    });
    return Number(res.numAffectedRows ?? 0) > 0;
  }

  async delete(locationId: string, contactId: string): Promise<void> {
    await this.db.kysely
      .deleteFrom('contact_states')
      .where('location_id', '=', locationId)
      .where('ghl_contact_id', '=', contactId)
      .execute();
  }
}
