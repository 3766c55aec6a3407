import * as z from 'zod/mini';
import { CursorSchema, IdSchema, IsoDateTimeSchema, PageLimitSchema } from './common';

export const ActivitySourceSchema = z.enum(['responder', 'ghl']);
export type ActivitySource = z.infer<typeof ActivitySourceSchema>;

/**
 * Life of a stored inbound event: `pending` (queued) → `processing` → `done`; `failed` (will retry with backoff)
 * → `dead` (gave up, replayable); `ignored` (unknown or irrelevant event, acknowledged); `invalid` (body could not
 * be parsed, SPEC §2).
 */
export const ACTIVITY_STATUSES = ['pending', 'processing', 'done', 'failed', 'dead', 'ignored', 'invalid'] as const;
export const ActivityStatusSchema = z.enum(ACTIVITY_STATUSES);
export type ActivityStatus = z.infer<typeof ActivityStatusSchema>;

/** Statuses `POST /api/activity/:id/replay` accepts; anything else is 409 `conflict`. */
export const ReplayableStatuses = ['failed', 'dead'] as const satisfies readonly ActivityStatus[];

/** One entry of the sync log. */
export const ActivityEntrySchema = z.object({
  id: IdSchema,
  source: ActivitySourceSchema,
  /** `message.received`, `ContactUpdate`, …: the normalised Responder event or the GHL webhook `type`. */
  eventType: z.string(),
  status: ActivityStatusSchema,
  attempts: z.int().check(z.gte(0)),
  lastError: z.nullable(z.string()),
  /** GHL contact the event resolved to, once known. */
  contactId: z.nullable(IdSchema),
  receivedAt: IsoDateTimeSchema,
  processedAt: z.nullable(IsoDateTimeSchema),
  /** One line for humans ("Email from dana@example.com: שלום"), built by the server. */
  summary: z.nullable(z.string()),
});
export type ActivityEntry = z.infer<typeof ActivityEntrySchema>;

/** `GET /api/activity?status=&contactId=&cursor=&limit=`: newest first, keyset paging. */
export const ActivityQuerySchema = z.object({
  status: z.optional(ActivityStatusSchema),
  contactId: z.optional(IdSchema),
  cursor: z.optional(CursorSchema),
  limit: z.optional(PageLimitSchema),
});
export type ActivityQuery = z.input<typeof ActivityQuerySchema>;

/** `nextCursor` is null on the last page. */
export const ActivityPageSchema = z.object({
  entries: z.array(ActivityEntrySchema),
  nextCursor: z.nullable(CursorSchema),
});
export type ActivityPage = z.infer<typeof ActivityPageSchema>;

/** Route parameter of `POST /api/activity/:id/replay` (→ 202 `{data: ActivityEntry}`, status back to `pending`). */
export const ActivityParamsSchema = z.object({ id: IdSchema });
export type ActivityParams = z.infer<typeof ActivityParamsSchema>;
