import * as z from 'zod/mini';
import { IdSchema, IsoDateTimeSchema } from './common';

/** A GHL note on a contact. */
export const NoteSchema = z.object({
  id: IdSchema,
  contactId: IdSchema,
  body: z.string(),
  /** GHL user who wrote it; null for notes written by the app itself. */
  userId: z.nullable(IdSchema),
  createdAt: IsoDateTimeSchema,
});
export type Note = z.infer<typeof NoteSchema>;

/** `GET /api/contacts/:contactId/notes` → `{data: NoteList}`, newest first. */
export const NoteListSchema = z.object({ notes: z.array(NoteSchema) });
export type NoteList = z.infer<typeof NoteListSchema>;

/**
 * `POST /api/contacts/:contactId/notes` body → 201 `{data: Note}`. The body is kept byte for byte (not trimmed),
 * but it must contain something other than white space.
 */
export const CreateNoteInputSchema = z.object({
  body: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(5000),
      z.refine((s) => s.trim().length > 0, { error: 'Note must not be blank' }),
    ),
});
export type CreateNoteInput = z.infer<typeof CreateNoteInputSchema>;
