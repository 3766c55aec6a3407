import { sql } from 'kysely';
import { z } from 'zod';
import { AppError } from '../../errors';
import { stripBidi } from '../../integrations/responder/responder-text';
import type { Db } from '../database';
import { prepareQuery } from '../prepared-query';
import type { MessageRow } from '../schema';

/** One Responder Live message as the panel's history shows it. Text fields are exactly as received. */
export interface MessageRecord {
  id: number;
  locationId: string;
  contactId: string;
  inboxEventId: string;
  eventType: string;
  channel: string | null;
  direction: string | null;
  subject: string | null;
  text: string | null;
  url: string | null;
  listName: string | null;
  occurredAt: number;
  createdAt: number;
}

export type NewMessage = Omit<MessageRecord, 'id' | 'createdAt'>;

export interface MessagePageQuery {
  cursor?: string | undefined;
  limit?: number | undefined;
  q?: string | undefined;
  channel?: string | undefined;
}

export const DEFAULT_MESSAGE_PAGE = 30;
const MAX_MESSAGE_PAGE = 100;

/**
 * The form search runs on: bidi marks removed (Responder values carry LRM/RLM, responder-live.md §4.2), NFC,
 * lower-cased. The stored `search_text` and the query go through the same function.
 */
export function toSearchText(parts: readonly (string | null | undefined)[]): string {
  return stripBidi(parts.filter((p): p is string => !!p).join('\n'))
    .normalize('NFC')
    .toLowerCase();
}

const cursorSchema = z.tuple([z.number().int(), z.number().int()]);

/** Opaque keyset cursor: the (occurred_at, id) of the last row of a page. */
function encodeCursor(occurredAt: number, id: number): string {
  return Buffer.from(JSON.stringify([occurredAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): [number, number] {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch (cause) {
    throw new AppError(400, 'invalid_cursor', 'The cursor is not one this server issued', { cause });
  }
}

function toRecord(row: MessageRow): MessageRecord {
  return {
    id: Number(row.id),
    locationId: row.location_id,
    contactId: row.ghl_contact_id,
    inboxEventId: row.inbox_event_id,
    eventType: row.event_type,
    channel: row.channel,
    direction: row.direction,
    subject: row.subject,
    text: row.text,
    url: row.url,
    listName: row.list_name,
    occurredAt: row.occurred_at,
    createdAt: row.created_at,
  };
}

/** A contact's Responder Live message history for the panel: one row per inbox event, newest first. */
export class MessageRepository {
  /** Written for every drained message event: built and compiled once. */
  private readonly insertRow;

  constructor(private readonly db: Db) {
    this.insertRow = prepareQuery(db.statements, (p: Omit<MessageRow, 'id'>) =>
      db.kysely
        .insertInto('messages')
        .values({
          location_id: p.location_id,
          ghl_contact_id: p.ghl_contact_id,
          inbox_event_id: p.inbox_event_id,
          event_type: p.event_type,
          channel: p.channel,
          direction: p.direction,
          subject: p.subject,
          text: p.text,
          url: p.url,
          list_name: p.list_name,
          search_text: p.search_text,
          occurred_at: p.occurred_at,
          created_at: p.created_at,
        })
        .onConflict((oc) => oc.column('inbox_event_id').doNothing()),
    );
  }

  /** Stores a message once per inbox event (unique `inbox_event_id`); returns false when it was already there. */
  async insert(message: NewMessage, now = Date.now()): Promise<boolean> {
    const res = await this.insertRow({
      location_id: message.locationId,
      ghl_contact_id: message.contactId,
      inbox_event_id: message.inboxEventId,
      event_type: message.eventType,
      channel: message.channel,
      direction: message.direction,
      subject: message.subject,
      text: message.text,
      url: message.url,
      list_name: message.listName,
      search_text: toSearchText([message.subject, message.text, message.url, message.listName]),
      occurred_at: message.occurredAt,
      created_at: now,
    });
    return Number(res.numAffectedRows ?? 0) > 0;
  }

  /**
   * One page, newest first by (occurred_at, id), keyset-paged so pages stay stable while messages arrive.
   * Served by messages_contact_time_idx; `q` filters that contact's rows by substring of `search_text`.
   */
  async page(
    locationId: string,
    contactId: string,
    query: MessagePageQuery = {},
  ): Promise<{ messages: MessageRecord[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_MESSAGE_PAGE, 1), MAX_MESSAGE_PAGE);
    let q = this.db.kysely
      .selectFrom('messages')
      .selectAll()
      .where('location_id', '=', locationId)
      .where('ghl_contact_id', '=', contactId);
    if (query.channel) q = q.where('channel', '=', query.channel);
    const needle = query.q === undefined ? '' : toSearchText([query.q.trim()]);
    if (needle) {
      const pattern = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(sql<boolean>`${sql.ref('search_text')} like ${pattern} escape ${sql.lit('\\')}`);
    }
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor);
      q = q.where((eb) =>
        eb.or([eb('occurred_at', '<', at), eb.and([eb('occurred_at', '=', at), eb('id', '<', id)])]),
      );
    }
    const rows = await q
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const messages = rows.slice(0, limit).map(toRecord);
    const last = messages[messages.length - 1];
    return { messages, nextCursor: rows.length > limit && last ? encodeCursor(last.occurredAt, last.id) : null };
  }

  /** Moves a contact's history to another contact id (GHL merged or re-created the contact). */
  async reassignContact(locationId: string, fromContactId: string, toContactId: string): Promise<void> {
    await this.db.kysely
      .updateTable('messages')
      .set({ ghl_contact_id: toContactId })
      .where('location_id', '=', locationId)
      .where('ghl_contact_id', '=', fromContactId)
      .execute();
  }
}
