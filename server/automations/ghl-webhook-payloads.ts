import { z } from 'zod';
import { GhlContact } from '../integrations/ghl/ghl-schemas';

/*
 * The GHL webhooks the automations handle, as stored by server/webhooks/ghl-webhook-route.ts. Shapes from
 * /work/shared/reference/ghl-webhooks/*.json (GHL's "Webhook events" docs): Contact* carry the whole contact at
 * the top level, Note* and Task* the record with its `contactId`.
 */

const text = z.string().nullish();

/** ContactCreate / ContactUpdate / ContactTagUpdate / ContactDndUpdate / ContactDelete. */
export const GhlContactWebhook = GhlContact.extend({ type: z.string(), locationId: z.string() });

/** NoteCreate. */
export const GhlNoteWebhook = z.looseObject({
  type: z.string(),
  locationId: z.string(),
  id: z.string(),
  contactId: z.string(),
  body: text,
  dateAdded: text,
});

/** TaskCreate / TaskComplete. */
export const GhlTaskWebhook = z.looseObject({
  type: z.string(),
  locationId: z.string(),
  id: z.string(),
  contactId: z.string(),
  title: text,
  body: text,
  assignedTo: text,
  dueDate: text,
  dateAdded: text,
});

/**
 * The contact a Contact* webhook describes, as stored in contact_states. The webhook's `type` is the event name,
 * not the contact's type, so it is dropped; fields the webhook left out keep their last known value.
 */
export function contactFromWebhook(payload: z.output<typeof GhlContactWebhook>, before: GhlContact | null | undefined): GhlContact {
  const { type: _event, ...rest } = payload;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  return { ...(before ?? {}), ...defined } as GhlContact;
}
