import { z } from 'zod';
import type { Db } from '../database';

export interface ResponderListChoice {
  /** Lists new GHL contacts are subscribed to, and whose webhooks are registered. */
  defaultListIds: number[];
  /** The account's lists as last fetched from Responder Live. */
  lists: { id: number; name: string }[];
  listsFetchedAt: number | null;
}

const IdsSchema = z.array(z.number().int());
const ListsSchema = z.array(z.object({ id: z.number().int(), name: z.string() }));

function parse<T>(schema: z.ZodType<T>, json: string, fallback: T): T {
  try {
    const parsed = schema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

/** Which Responder Live lists a location uses (table responder_list_choices, one row per location). */
export class ResponderListChoiceRepository {
  constructor(private readonly db: Db) {}

  /** The location's choice; empty lists when it never made one. */
  async get(locationId: string): Promise<ResponderListChoice> {
    const row = await this.db.kysely
      .selectFrom('responder_list_choices')
      .selectAll()
      .where('location_id', '=', locationId)
      .executeTakeFirst();
    if (!row) return { defaultListIds: [], lists: [], listsFetchedAt: null };
    return {
      defaultListIds: parse(IdsSchema, row.default_list_ids, []),
      lists: parse(ListsSchema, row.lists, []),
      listsFetchedAt: row.lists_fetched_at,
    };
  }

  async saveDefaultListIds(locationId: string, ids: number[], now = Date.now()): Promise<void> {
    const json = JSON.stringify([...new Set(ids)]);
    await this.db.kysely
      .insertInto('responder_list_choices')
      .values({ location_id: locationId, default_list_ids: json, lists: '[]', lists_fetched_at: null, updated_at: now })
      .onConflict((oc) => oc.column('location_id').doUpdateSet({ default_list_ids: json, updated_at: now }))
      .execute();
  }

  async saveLists(locationId: string, lists: { id: number; name: string }[], now = Date.now()): Promise<void> {
    const json = JSON.stringify(lists.map((l) => ({ id: l.id, name: l.name })));
    await this.db.kysely
      .insertInto('responder_list_choices')
      .values({ location_id: locationId, default_list_ids: '[]', lists: json, lists_fetched_at: now, updated_at: now })
      .onConflict((oc) => oc.column('location_id').doUpdateSet({ lists: json, lists_fetched_at: now, updated_at: now }))
      .execute();
  }

  /** Forgets the fetched lists and the choice (credentials removed: they belonged to that account). */
  async clear(locationId: string): Promise<void> {
    await this.db.kysely.deleteFrom('responder_list_choices').where('location_id', '=', locationId).execute();
  }
}
