import { z } from 'zod';
import { MESSAGE_CHANNELS, RESPONDER_EVENT_TYPES } from '../../../shared/contracts/messages';

/**
 * The canonical inbound Responder Live event, `responder-live.event/v1` (SPEC §2, responder-live.md §5.2).
 * The normaliser produces it from flat or canonical payloads; the inbox stores it and the sync engine reads it.
 * Ids are strings (Responder sends numbers, form posts send strings; one type downstream).
 */
export const RESPONDER_EVENT_SCHEMA = 'responder-live.event/v1';

export { RESPONDER_EVENT_TYPES };

export type ResponderEventType = (typeof RESPONDER_EVENT_TYPES)[number];

export { MESSAGE_CHANNELS };
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

const id = z.union([z.string().min(1), z.number()]).transform(String);

/** Responder keeps three active flags per subscriber (§1.3.2); `active` is a status of unknown scope, `text` the raw value. */
export const subscriberStatusSchema = z.object({
  active: z.boolean().optional(),
  account_active: z.boolean().optional(),
  sms_active: z.boolean().optional(),
  list_active: z.boolean().optional(),
  text: z.string().optional(),
});

export const responderEventSchema = z.object({
  schema: z.literal(RESPONDER_EVENT_SCHEMA),
  /** `unknown` when the producer named a type we do not handle; the original is in `raw_event` (stored as ignored). */
  event: z.enum([...RESPONDER_EVENT_TYPES, 'unknown']),
  raw_event: z.string().optional(),
  event_id: id.optional(),
  /** ISO-8601 with an offset (naive producer times were read as Asia/Jerusalem). */
  occurred_at: z.string(),
  /** True when the producer sent no usable time and `occurred_at` is the receive time. */
  occurred_at_derived: z.boolean().optional(),
  source: z.object({
    account_id: id.optional(),
    list_id: id.optional(),
    list_name: z.string().optional(),
    webhook_name: z.string().optional(),
    automation_name: z.string().optional(),
  }),
  subscriber: z.object({
    id: id.optional(),
    email: z.string().optional(),
    /** As received (display form); `phone_e164` is set when it could be normalised. */
    phone: z.string().optional(),
    phone_e164: z.string().optional(),
    first: z.string().optional(),
    last: z.string().optional(),
    name: z.string().optional(),
    status: subscriberStatusSchema.optional(),
    tags: z.array(z.string()),
    /** Every key we do not map, verbatim (Hebrew keys and values included). */
    personal_fields: z.record(z.string(), z.unknown()),
  }),
  message: z
    .object({
      id: id.optional(),
      channel: z.enum(MESSAGE_CHANNELS),
      direction: z.enum(['inbound', 'outbound']),
      subject: z.string().optional(),
      text: z.string().optional(),
      url: z.string().optional(),
    })
    .optional(),
});

export type ResponderEvent = z.output<typeof responderEventSchema>;
export type ResponderSubscriberStatus = z.output<typeof subscriberStatusSchema>;

/** True for the types the sync engine handles. */
export function isKnownEventType(value: string): value is ResponderEventType {
  return (RESPONDER_EVENT_TYPES as readonly string[]).includes(value);
}
