import * as z from 'zod/mini';

/** Wraps a payload schema in the success envelope `{"data": …}` used by every `/api/*` answer. */
export function dataOf<T extends z.ZodMiniType>(schema: T) {
  return z.object({ data: schema });
}

/** The success envelope of a given payload type. */
export interface DataEnvelope<T> {
  data: T;
}

/** Header carrying the client's key for a write; a repeat with the same key answers the first result. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
