import { z } from 'zod';

/*
 * GHL API v2 response shapes, written from GHL's OpenAPI files (GoHighLevel/highlevel-api-docs `apps/*.json`,
 * copies in /work/shared/reference/ghl-openapi). Each schema names the operation it comes from; the docs page
 * of an operation is https://marketplace.gohighlevel.com/docs/ghl/<area>/<operationId>.
 *
 * They are deliberately loose: every object is a `z.looseObject` so fields we do not read survive untouched,
 * and almost every field is `nullish` because the spec marks none of them required and GHL sends `null` for
 * empty values. We only insist on what the app relies on (ids, and the envelope keys).
 */

const text = z.string().nullish();
/** GHL sends `tags: []`, omits it, or (on some older records) `null`; callers always get an array. */
const stringList = z
  .array(z.string())
  .nullish()
  .transform((v) => v ?? []);

/** DndSettingSchema (apps/contacts.json): one channel's Do-Not-Disturb state. */
export const GhlDndSetting = z.looseObject({ status: text, message: text, code: text });

/** CustomFieldSchema (apps/contacts.json). `value` is a string, number, string[] or object by field type. */
export const GhlCustomFieldValue = z.looseObject({ id: z.string(), value: z.unknown().optional() });

/**
 * A contact: GetContectByIdSchema / CreateContactSchema / ContactsSearchSchema (apps/contacts.json, operations
 * get-contact, create-contact, upsert-contact, update-contact, search-contacts-advanced). The three shapes
 * overlap; this is their union with everything but `id` optional.
 */
export const GhlContact = z.looseObject({
  id: z.string(),
  locationId: text,
  firstName: text,
  lastName: text,
  /** GetContectByIdSchema calls it `name`; search results and webhooks sometimes `contactName`. */
  name: text,
  contactName: text,
  email: text,
  phone: text,
  companyName: text,
  address1: text,
  city: text,
  state: text,
  country: text,
  postalCode: text,
  website: text,
  timezone: text,
  source: text,
  type: text,
  dateOfBirth: text,
  businessId: text,
  tags: stringList,
  assignedTo: text,
  dnd: z.boolean().nullish(),
  dndSettings: z.record(z.string(), GhlDndSetting.nullish()).nullish(),
  customFields: z
    .array(GhlCustomFieldValue)
    .nullish()
    .transform((v) => v ?? []),
  dateAdded: text,
  dateUpdated: text,
});
export type GhlContact = z.infer<typeof GhlContact>;

/** TaskSchema (apps/contacts.json, get-all-tasks / get-task / create-task / update-task). */
export const GhlTask = z.looseObject({
  id: z.string(),
  title: text,
  body: text,
  assignedTo: text,
  dueDate: text,
  completed: z.boolean().nullish(),
  contactId: text,
  dateAdded: text,
});
export type GhlTask = z.infer<typeof GhlTask>;

/** GetNoteSchema (apps/contacts.json, get-all-notes / get-note / create-note / update-note). */
export const GhlNote = z.looseObject({
  id: z.string(),
  body: text,
  userId: text,
  contactId: text,
  dateAdded: text,
  title: text,
  color: text,
  pinned: z.boolean().nullish(),
});
export type GhlNote = z.infer<typeof GhlNote>;

/** GetEventSchema (apps/contacts.json, get-appointments-for-contact). Times are GHL's strings, unparsed. */
export const GhlAppointment = z.looseObject({
  id: z.string(),
  calendarId: text,
  status: text,
  appointmentStatus: text,
  title: text,
  assignedUserId: text,
  notes: text,
  startTime: text,
  endTime: text,
  address: text,
  locationId: text,
  contactId: text,
  dateAdded: text,
  dateUpdated: text,
});
export type GhlAppointment = z.infer<typeof GhlAppointment>;

/** RoleSchema (apps/users.json). */
export const GhlUserRoles = z.looseObject({
  type: text,
  role: text,
  locationIds: stringList,
});

/** UserSchema (apps/users.json, get-user-by-location: GET /users/?locationId=). */
export const GhlUser = z.looseObject({
  id: z.string(),
  name: text,
  firstName: text,
  lastName: text,
  email: text,
  phone: text,
  roles: GhlUserRoles.nullish(),
  deleted: z.boolean().nullish(),
});
export type GhlUser = z.infer<typeof GhlUser>;

/** GetLocationByIdSchema (apps/locations.json, get-location: GET /locations/{locationId}). */
export const GhlLocation = z.looseObject({
  id: z.string(),
  companyId: text,
  name: text,
  timezone: text,
  email: text,
  phone: text,
  address: text,
  city: text,
  state: text,
  country: text,
  postalCode: text,
  website: text,
  domain: text,
  logoUrl: text,
});
export type GhlLocation = z.infer<typeof GhlLocation>;

/**
 * GetAccessCodeSuccessfulResponseDto (apps/oauth.json, get-access-token: POST /oauth/token). `refresh_token` is
 * optional because the location-token response shares this type (see GhlLocationTokenResponse).
 */
export const GhlTokenResponse = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().default('Bearer'),
  expires_in: z.number(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().default(''),
  userType: z.enum(['Location', 'Company']),
  locationId: z.string().optional(),
  companyId: z.string().optional(),
  approvedLocations: z.array(z.string()).optional(),
  isBulkInstallation: z.boolean().optional(),
  userId: z.string().optional(),
  planId: z.string().nullish(),
});
export type GhlTokenResponse = z.infer<typeof GhlTokenResponse>;

/**
 * GetLocationAccessTokenSuccessfulResponseDto (apps/oauth.json, get-location-access-token: POST
 * /oauth/locationToken). It carries no `userType` (it is always a Location token) and, per the v2 spec, no
 * `refresh_token`, though GHL says it now sends one (highlevel-api-docs issue #285); both cases parse.
 */
export const GhlLocationTokenResponse = GhlTokenResponse.extend({
  userType: z.enum(['Location', 'Company']).default('Location'),
  locationId: z.string(),
});

/** InstalledLocationSchema (apps/oauth.json). The spec requires `name` and `address`; we do not rely on them. */
export const GhlInstalledLocation = z.looseObject({
  _id: z.string(),
  name: z.string().optional(),
  address: text,
  isInstalled: z.boolean().optional(),
});

/** GetInstalledLocationsSuccessfulResponseDto (apps/oauth.json, get-installed-location). */
export const GhlInstalledLocations = z.looseObject({
  locations: z.array(GhlInstalledLocation),
  count: z.number().optional(),
  installToFutureLocations: z.boolean().optional(),
});
export type GhlInstalledLocations = z.infer<typeof GhlInstalledLocations>;

// ---- Response envelopes, one per operation family (apps/contacts.json unless noted) ----

/** ContactsByIdSuccessfulResponseDto / CreateContactsSuccessfulResponseDto: `{contact}`. */
export const GhlContactEnvelope = z.looseObject({ contact: GhlContact });
/** UpdateContactsSuccessfulResponseDto: `{succeded, contact}` (sic). */
export const GhlUpdateContactEnvelope = z.looseObject({ succeded: z.boolean().optional(), contact: GhlContact });
/** UpsertContactsSuccessfulResponseDto: `{new, contact, traceId}`. */
export const GhlUpsertContactEnvelope = z.looseObject({ new: z.boolean(), contact: GhlContact });
/**
 * search-contacts-advanced has no response schema in the spec; GHL answers `{contacts, total}` (the SDK's
 * `searchContactsAdvanced` and GHL's search docs). A missing `total` is treated as the page's length.
 */
export const GhlSearchContactsEnvelope = z.looseObject({
  contacts: z.array(GhlContact),
  total: z.number().optional(),
});
/** get-duplicate-contact has no response schema either; GHL answers `{contact}` with `null` when none. */
export const GhlDuplicateEnvelope = z.looseObject({ contact: GhlContact.nullish() });
/** ContactsSearchSuccessfulResponseDto (get-contacts-by-businessId): `{contacts, count}`. */
export const GhlContactsListEnvelope = z.looseObject({ contacts: z.array(GhlContact) });
/** GetEventsSuccessfulResponseDto: `{events}`. */
export const GhlAppointmentsEnvelope = z.looseObject({ events: z.array(GhlAppointment) });
/** TasksListSuccessfulResponseDto: `{tasks}`. */
export const GhlTasksEnvelope = z.looseObject({ tasks: z.array(GhlTask) });
/** TaskByIsSuccessfulResponseDto: `{task}`. */
export const GhlTaskEnvelope = z.looseObject({ task: GhlTask });
/** GetNotesListSuccessfulResponseDto: `{notes}`. */
export const GhlNotesEnvelope = z.looseObject({ notes: z.array(GhlNote) });
/** GetCreateUpdateNoteSuccessfulResponseDto: `{note}`. */
export const GhlNoteEnvelope = z.looseObject({ note: GhlNote });
/** CreateAddTagSuccessfulResponseDto / CreateDeleteTagSuccessfulResponseDto: `{tags}` (the contact's tags). */
export const GhlTagsEnvelope = z.looseObject({ tags: z.array(z.string()) });
/** LocationSuccessfulResponseDto (apps/users.json, get-user-by-location): `{users}`. */
export const GhlUsersEnvelope = z.looseObject({ users: z.array(GhlUser) });
/** GetLocationByIdSuccessfulResponseDto (apps/locations.json, get-location): `{location}`. */
export const GhlLocationEnvelope = z.looseObject({ location: GhlLocation });

/** `LocationTagsSuccessfulResponseDto` (apps/locations.json get-location-tags). */
export const GhlLocationTagsEnvelope = z.looseObject({
  tags: z.array(z.looseObject({ id: z.string().optional(), name: z.string(), locationId: z.string().optional() })),
});
/** Delete*SuccessfulResponseDto: `{succeded}`. Anything 2xx counts as done; the body is not relied on. */
export const GhlDeleteEnvelope = z.unknown();

// ---- Request bodies (ours, so plain types; GHL validates them) ----

/**
 * A custom field write: `{id | key, field_value}` (CreateContactDto.customFields → TextField … FileField in
 * apps/contacts.json). `value` is accepted too because GHL's own examples and older integrations send it.
 */
export interface GhlCustomFieldInput {
  id?: string;
  key?: string;
  field_value?: unknown;
  value?: unknown;
}

/** Body of create-contact / upsert-contact without `locationId` (the client adds it). */
export interface GhlContactInput {
  firstName?: string | null;
  lastName?: string | null;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  address1?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string;
  website?: string | null;
  timezone?: string | null;
  dnd?: boolean;
  dndSettings?: Record<string, { status: string; message?: string; code?: string }>;
  tags?: string[];
  customFields?: GhlCustomFieldInput[];
  source?: string;
  dateOfBirth?: string | null;
  country?: string;
  companyName?: string | null;
  assignedTo?: string;
  gender?: string;
  /** Upsert only: create a new contact right away when the location allows duplicates. */
  createNewIfDuplicateAllowed?: boolean;
}

/**
 * Body of update-contact (UpdateContactDto). GHL 422s `locationId`, `gender` and `companyName` on PUT
 * ("property gender should not exist", highlevel-api-docs issue #313), so the type leaves them out and the
 * client strips them at run time too.
 */
export type GhlContactUpdate = Omit<GhlContactInput, 'gender' | 'companyName' | 'createNewIfDuplicateAllowed'>;
