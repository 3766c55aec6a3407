import * as z from 'zod/mini';
import { IdSchema, IsoDateTimeSchema } from './common';

export const ContactOwnerSchema = z.object({ id: IdSchema, name: z.string() });
export type ContactOwner = z.infer<typeof ContactOwnerSchema>;

/** A GHL contact as the panel shows it (`GET /api/contacts/:contactId`, and each search hit). */
export const ContactSummarySchema = z.object({
  id: IdSchema,
  firstName: z.nullable(z.string()),
  lastName: z.nullable(z.string()),
  /** Display name; the server falls back to first + last, then email, then phone. */
  name: z.string(),
  email: z.nullable(z.string()),
  /** As stored in GHL (E.164 when we wrote it). */
  phone: z.nullable(z.string()),
  tags: z.array(z.string()),
  /** The contact's assigned user (`assignedTo` in GHL), resolved to a name. */
  owner: z.nullable(ContactOwnerSchema),
  dnd: z.boolean(),
  lastMessageAt: z.optional(IsoDateTimeSchema),
  lastMessageText: z.optional(z.string()),
});
export type ContactSummary = z.infer<typeof ContactSummarySchema>;

/** `GET /api/contacts?query=&limit=`: free text (name, email or phone), within the session's location. */
export const ContactSearchQuerySchema = z.object({
  query: z._default(z.string().check(z.trim(), z.maxLength(200)), ''),
  limit: z.optional(z.coerce.number<string | number>().check(z.int(), z.gte(1), z.lte(50))),
});
export type ContactSearchQuery = z.input<typeof ContactSearchQuerySchema>;

/** `GET /api/contacts` → `{data: ContactSearchResult}`; an empty query lists the most recently updated contacts. */
export const ContactSearchResultSchema = z.object({ contacts: z.array(ContactSummarySchema) });
export type ContactSearchResult = z.infer<typeof ContactSearchResultSchema>;
