import * as z from 'zod/mini';

/** One tag: trimmed, non-empty. GHL stores tags lower-cased; the server may normalise, the client does not. */
export const TagSchema = z.string().check(z.trim(), z.minLength(1), z.maxLength(100));

/**
 * Body of `POST /api/contacts/:contactId/tags` (add) and `DELETE /api/contacts/:contactId/tags` (remove):
 * 1..20 tags. Both answer `{data: TagList}` with the contact's tags after the change (POST 201, DELETE 200).
 */
export const TagsInputSchema = z.object({ tags: z.array(TagSchema).check(z.minLength(1), z.maxLength(20)) });
export type TagsInput = z.infer<typeof TagsInputSchema>;

/** A list of tags: a contact's tags after a change, or the location's known tags (`GET /api/tags`). */
export const TagListSchema = z.object({ tags: z.array(z.string()) });
export type TagList = z.infer<typeof TagListSchema>;
