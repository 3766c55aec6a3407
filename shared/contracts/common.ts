/**
 * Contracts of the panel API, shared by the Express routes and the Vue panel.
 *
 * Written with `zod/mini` (same zod 4 core, functional API) because these schemas ship in the panel's bundle:
 * classic zod would cost ~18 KB gzipped of the 100 KB budget. Use them as usual: `Schema.parse()`,
 * `Schema.safeParse()`, `z.infer<typeof Schema>`; classic `z.object({...})` accepts them as fields.
 */
import * as z from 'zod/mini';

/** ISO-8601 date-time with `Z` or an offset (`2024-05-01T09:30:00.000Z`). Every time in the panel API uses it. */
export const IsoDateTimeSchema = z.iso.datetime({ offset: true });

/** Opaque identifier (GHL ids, our own ids). Length-capped so a path segment can never be abused. */
export const IdSchema = z.string().check(z.minLength(1), z.maxLength(128));

/** Opaque keyset cursor: the client passes back what the server sent as `nextCursor`, never builds one. */
export const CursorSchema = z.string().check(z.minLength(1), z.maxLength(512));

/** `limit` query parameter of a paged list: a string in the URL, a number once parsed, 1..100. */
export const PageLimitSchema = z.coerce.number<string | number>().check(z.int(), z.gte(1), z.lte(100));

/** Route parameter `:contactId`. */
export const ContactParamsSchema = z.object({ contactId: IdSchema });
export type ContactParams = z.infer<typeof ContactParamsSchema>;
