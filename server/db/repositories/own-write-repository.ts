import type { Selectable } from 'kysely';
import type { Db } from '../database';
import { prepareQuery } from '../prepared-query';
import type { OwnWritesTable } from '../schema';

export type OwnWriteKind = OwnWritesTable['kind'];

export interface OwnWrite {
  id: number;
  locationId: string;
  contactId: string;
  kind: OwnWriteKind;
  /** What was written: field names and values, tag names, note/task id, the inbox event it came from. */
  detail: Record<string, unknown>;
  createdAt: number;
}

function parseDetail(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * What the app itself wrote to which GHL contact, and when. GHL echoes our writes back as ContactUpdate,
 * ContactTagUpdate and NoteCreate webhooks; the automations engine (issue 5) checks `recent()` so the app's own
 * writes never fire its own GHL-side rules (SPEC §3, "No loops").
 */
export class OwnWriteRepository {
  /** Written before each GHL write of a drained event: built and compiled once. */
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = prepareQuery(db.statements, (p: Omit<Selectable<OwnWritesTable>, 'id'>) =>
      db.kysely.insertInto('own_writes').values({
        location_id: p.location_id,
        ghl_contact_id: p.ghl_contact_id,
        kind: p.kind,
        detail: p.detail,
        created_at: p.created_at,
      }),
    );
  }

  async record(
    locationId: string,
    contactId: string,
    kind: OwnWriteKind,
    detail: Record<string, unknown>,
    now = Date.now(),
  ): Promise<void> {
    await this.insert({ location_id: locationId, ghl_contact_id: contactId, kind, detail: JSON.stringify(detail), created_at: now });
  }

  /** The app's writes to a contact at or after `sinceMs` (epoch ms), oldest first. */
  async recent(locationId: string, contactId: string, sinceMs: number): Promise<OwnWrite[]> {
    const rows = await this.db.kysely
      .selectFrom('own_writes')
      .selectAll()
      .where('location_id', '=', locationId)
      .where('ghl_contact_id', '=', contactId)
      .where('created_at', '>=', sinceMs)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      locationId: r.location_id,
      contactId: r.ghl_contact_id,
      kind: r.kind,
      detail: parseDetail(r.detail),
      createdAt: r.created_at,
    }));
  }

  /** Drops records older than `beforeMs`; loop protection only looks back minutes. Returns how many. */
  async purgeBefore(beforeMs: number): Promise<number> {
    const res = await this.db.kysely.deleteFrom('own_writes').where('created_at', '<', beforeMs).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
