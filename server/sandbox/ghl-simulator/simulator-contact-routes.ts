import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { accessibleContact, accessibleLocation, locationGrant } from './simulator-api-guard';
import type { SimContext } from './simulator-context';
import {
  applyContactInput,
  findByField,
  findDuplicate,
  matchesQuery,
  serialiseContact,
  type DuplicateField,
} from './simulator-contact-rules';
import { searchContacts } from './simulator-contact-search';
import {
  createContactDto,
  searchContactsDto,
  updateContactDto,
  upsertContactDto,
  type ContactInput,
} from './simulator-dtos';
import { ghlError, noLocationAccess, parseDto } from './simulator-http';
import type { SimContact, SimLocation } from './simulator-entities';
import { newGhlId } from './simulator-state';

const duplicateQuery = z.object({
  locationId: z.string().min(1),
  email: z.string().optional(),
  number: z.string().optional(),
});
const listQuery = z.object({
  locationId: z.string().min(1),
  query: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  skip: z.coerce.number().int().min(0).optional(),
  startAfterId: z.string().optional(),
  startAfter: z.string().optional(),
});

/** Contacts endpoints of apps/contacts.json: CRUD, upsert with GHL's duplicate rules, search, duplicate lookup. */
export function contactRoutes(ctx: SimContext): Router {
  const router = Router();

  /** A location the Location token owns; a body/query naming another location is refused. */
  const ownLocation = (res: Parameters<typeof locationGrant>[0], locationId: string): SimLocation => {
    const grant = locationGrant(res);
    if (grant.locationId !== locationId) throw noLocationAccess();
    return accessibleLocation(ctx, res, locationId);
  };

  const createContact = (location: SimLocation, input: ContactInput): SimContact => {
    const now = ctx.state.nowIso();
    const contact: SimContact = {
      id: newGhlId(),
      locationId: location.id,
      tags: [],
      dnd: false,
      customFields: [],
      type: 'lead',
      dateAdded: now,
      dateUpdated: now,
    };
    applyContactInput(contact, input, now);
    ctx.state.contacts.set(contact.id, contact);
    return contact;
  };

  /** GHL's answer when "Allow Duplicate Contact" is off and the email/phone is taken. */
  const duplicateError = (match: { contact: SimContact; field: DuplicateField }) =>
    ghlError(400, 'This location does not allow duplicated contacts.', {
      meta: { contactName: match.contact.name ?? '', contactId: match.contact.id, matchingField: match.field },
      traceId: randomUUID(),
    });

  router.get('/contacts/search/duplicate', (req, res) => {
    const query = parseDto(duplicateQuery, req.query);
    const location = ownLocation(res, query.locationId);
    // Lookup order follows the location's duplicate priority (email first by default), apps/contacts.json.
    const match = findDuplicate(ctx.state, location, { email: query.email, phone: query.number });
    res.json({ contact: match ? serialiseContact(match.contact) : null });
  });

  router.post('/contacts/search', (req, res) => {
    const input = parseDto(searchContactsDto, req.body);
    const location = ownLocation(res, input.locationId);
    res.json(searchContacts(ctx.state, location, input));
  });

  router.post('/contacts/upsert', (req, res) => {
    const { locationId, createNewIfDuplicateAllowed, ...input } = parseDto(upsertContactDto, req.body);
    const location = ownLocation(res, locationId);
    const traceId = randomUUID();
    if (location.allowDuplicateContact && createNewIfDuplicateAllowed) {
      res.json({ new: true, contact: serialiseContact(createContact(location, input)), traceId });
      return;
    }
    const match = findDuplicate(ctx.state, location, input);
    if (!match) {
      res.json({ new: true, contact: serialiseContact(createContact(location, input)), traceId });
      return;
    }
    // Upsert on an existing contact accepts and drops `gender` (issue #313). When email matches one contact
    // and phone another, the first-priority match is updated and the other field ignored (issue #37).
    const patch: ContactInput = { ...input };
    delete patch.gender;
    for (const field of location.duplicatePriority) {
      const value = patch[field];
      if (field !== match.field && value && findByField(ctx.state, location, field, value, match.contact.id))
        delete patch[field];
    }
    applyContactInput(match.contact, patch, ctx.state.nowIso());
    res.json({ new: false, contact: serialiseContact(match.contact), traceId });
  });

  router.get('/contacts/business/:businessId', (req, res) => {
    const query = parseDto(listQuery, req.query);
    const location = ownLocation(res, query.locationId);
    const all = ctx.state
      .contactsOf(location.id)
      .filter((c) => c.businessId === req.params.businessId)
      .filter((c) => query.query === undefined || matchesQuery(c, query.query, location.country));
    const skip = query.skip ?? 0;
    const contacts = all.slice(skip, skip + (query.limit ?? 25)).map(serialiseContact);
    res.json({ contacts, count: all.length });
  });

  // Deprecated list endpoint (use search), kept because older clients still call it; limit max 100.
  router.get('/contacts', (req, res) => {
    const query = parseDto(listQuery, req.query);
    const location = ownLocation(res, query.locationId);
    const all = ctx.state
      .contactsOf(location.id)
      .filter((c) => query.query === undefined || matchesQuery(c, query.query, location.country));
    let start = 0;
    if (query.startAfterId) start = all.findIndex((c) => c.id === query.startAfterId) + 1;
    const limit = query.limit ?? 20;
    const page = all.slice(start, start + limit);
    const last = page.at(-1);
    res.json({
      contacts: page.map(serialiseContact),
      meta: {
        total: all.length,
        startAfterId: last?.id ?? null,
        startAfter: last ? Date.parse(last.dateAdded) : null,
      },
    });
  });

  router.post('/contacts', (req, res) => {
    const { locationId, ...input } = parseDto(createContactDto, req.body);
    const location = ownLocation(res, locationId);
    if (!location.allowDuplicateContact) {
      const match = findDuplicate(ctx.state, location, input);
      if (match) throw duplicateError(match);
    }
    res.status(201).json({ contact: serialiseContact(createContact(location, input)) });
  });

  router.get('/contacts/:contactId', (req, res) => {
    res.json({ contact: serialiseContact(accessibleContact(ctx, res, req.params.contactId)) });
  });

  router.put('/contacts/:contactId', (req, res) => {
    const contact = accessibleContact(ctx, res, req.params.contactId);
    const input = parseDto(updateContactDto, req.body);
    const location = ctx.state.requireLocation(contact.locationId);
    if (!location.allowDuplicateContact) {
      const match = findDuplicate(ctx.state, location, input, contact.id);
      if (match) throw duplicateError(match);
    }
    applyContactInput(contact, input, ctx.state.nowIso());
    res.json({ succeded: true, contact: serialiseContact(contact) });
  });

  router.delete('/contacts/:contactId', (req, res) => {
    const contact = accessibleContact(ctx, res, req.params.contactId);
    ctx.state.deleteContact(contact.id);
    res.json({ succeded: true });
  });

  return router;
}
