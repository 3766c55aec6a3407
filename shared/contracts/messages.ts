import * as z from 'zod/mini';
import { CursorSchema, IdSchema, IsoDateTimeSchema, PageLimitSchema } from './common';

/** Canonical Responder Live event types (SPEC §2, "The inbound Responder Live event"). */
export const RESPONDER_EVENT_TYPES = [
  'subscriber.joined',
  'subscriber.rejoined',
  'subscriber.updated',
  'subscriber.unsubscribed',
  'message.sent',
  'message.received',
  'message.opened',
  'message.clicked',
  'message.replied',
  'message.bounced',
] as const;
export const ResponderEventTypeSchema = z.enum(RESPONDER_EVENT_TYPES);
export type ResponderEventType = z.infer<typeof ResponderEventTypeSchema>;

export const MESSAGE_CHANNELS = ['email', 'sms', 'whatsapp'] as const;
export const MessageChannelSchema = z.enum(MESSAGE_CHANNELS);
export type MessageChannel = z.infer<typeof MessageChannelSchema>;

export const MessageDirectionSchema = z.enum(['inbound', 'outbound']);
export type MessageDirection = z.infer<typeof MessageDirectionSchema>;

/** One entry of a contact's Responder Live history. Text fields are passed through byte for byte (Hebrew). */
export const MessageSchema = z.object({
  id: IdSchema,
  eventType: ResponderEventTypeSchema,
  /** null for list events (`subscriber.*`). */
  channel: z.nullable(MessageChannelSchema),
  direction: z.nullable(MessageDirectionSchema),
  subject: z.nullable(z.string()),
  text: z.nullable(z.string()),
  url: z.nullable(z.string()),
  listName: z.nullable(z.string()),
  occurredAt: IsoDateTimeSchema,
});
export type Message = z.infer<typeof MessageSchema>;

/**
 * `GET /api/contacts/:contactId/messages?cursor=&limit=&q=&channel=`: newest first, keyset paging.
 * `limit` defaults to 30 on the server; `q` matches subject and text (case-insensitive substring).
 */
export const MessageQuerySchema = z.object({
  cursor: z.optional(CursorSchema),
  limit: z.optional(PageLimitSchema),
  q: z.optional(z.string().check(z.trim(), z.maxLength(200))),
  channel: z.optional(MessageChannelSchema),
});
export type MessageQuery = z.input<typeof MessageQuerySchema>;

/** `nextCursor` is null on the last page. */
export const MessagePageSchema = z.object({
  messages: z.array(MessageSchema),
  nextCursor: z.nullable(CursorSchema),
});
export type MessagePage = z.infer<typeof MessagePageSchema>;
