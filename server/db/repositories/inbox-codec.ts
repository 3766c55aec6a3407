import { randomUUID } from 'node:crypto';
import { badRequest } from '../../errors';
import type { InboxEventRow } from '../schema';

// How inbox values are encoded in their columns: ids, JSON text, error text, activity cursors.

const MAX_ERROR_LENGTH = 500;

let lastIdTime = 0;
let idSequence = 0;

/** `evt_` + time (base36) + a per-process sequence + randomness: unique, and sorting by id sorts by arrival. */
export function newInboxEventId(now = Date.now()): string {
  if (now === lastIdTime) idSequence += 1;
  else {
    lastIdTime = now;
    idSequence = 0;
  }
  const time = now.toString(36).padStart(9, '0');
  // 40 random bits: a UUID's first 10 hex digits (randomUUID draws from a pooled buffer; randomBytes(5) did not).
  const random = randomUUID();
  return `evt_${time}${idSequence.toString(36).padStart(3, '0')}${random.slice(0, 8)}${random.slice(9, 11)}`;
}

/** Short, single-line error text for `last_error`, with bearer tokens and JWTs blanked out. */
export function shortError(error: string): string {
  const clean = error
    .replace(/Bearer\s+[\w.~+/=-]+/gi, 'Bearer [redacted]')
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > MAX_ERROR_LENGTH ? `${clean.slice(0, MAX_ERROR_LENGTH - 1)}…` : clean;
}

/** JSON text for a JSON column; `undefined` is stored as NULL. */
export const toJson = (value: unknown): string | null => (value == null ? null : JSON.stringify(value));

/** Opaque keyset cursor of the activity list: the last row's (received_at, id). */
export function encodeCursor(row: Pick<InboxEventRow, 'received_at' | 'id'>): string {
  return Buffer.from(JSON.stringify([row.received_at, row.id])).toString('base64url');
}

/** Reads a cursor from `encodeCursor`; anything else is the client's mistake (400). */
export function decodeCursor(cursor: string): { receivedAt: number; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') {
      return { receivedAt: value[0], id: value[1] };
    }
  } catch {
    // fall through to the client error below
  }
  throw badRequest('The cursor is not valid');
}

/** The stored step results of an event (a JSON object; anything else reads as none). */
export function parseCheckpoints(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
