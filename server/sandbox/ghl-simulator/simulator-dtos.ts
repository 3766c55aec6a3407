import { z } from 'zod';

// Request DTOs of apps/contacts.json and apps/oauth.json. The spec sets no additionalProperties:false, but the
// live API (NestJS whitelist + forbidNonWhitelisted) answers 422 "property X should not exist" for anything not in
// the DTO (https://github.com/GoHighLevel/highlevel-api-docs/issues/313), so the body objects here are strict.

const optionalText = z.string().nullable().optional();
// A loose check: GHL 422s addresses class-validator's IsEmail rejects; this keeps Hebrew display parts legal.
const optionalEmail = z
  .string()
  .nullable()
  .optional()
  .refine((v) => v === undefined || v === null || v === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), {
    message: 'email must be an email',
  });
const isoDate = (field: string) =>
  z.string().refine((v) => !Number.isNaN(Date.parse(v)), { message: `${field} must be a valid ISO 8601 date string` });

const dndSetting = z.object({
  status: z.enum(['active', 'inactive', 'permanent']),
  message: z.string().optional(),
  code: z.string().optional(),
});
const inboundDndSetting = z.object({ status: z.enum(['active', 'inactive']), message: z.string().optional() });

/** `customFields` items: `{id, value}` as GHL returns them, or `{id|key, field_value}` as the DTO documents. */
const customFieldInput = z
  .object({
    id: z.string().optional(),
    key: z.string().optional(),
    value: z.unknown().optional(),
    field_value: z.unknown().optional(),
  })
  .refine((f) => f.id !== undefined || f.key !== undefined, { message: 'customFields.id should not be empty' });

const contactFields = {
  firstName: optionalText,
  lastName: optionalText,
  name: optionalText,
  email: optionalEmail,
  phone: optionalText,
  address1: optionalText,
  city: optionalText,
  state: optionalText,
  postalCode: optionalText,
  website: optionalText,
  timezone: optionalText,
  dnd: z.boolean().optional(),
  dndSettings: z.record(z.string(), dndSetting).optional(),
  inboundDndSettings: z.record(z.string(), inboundDndSetting).optional(),
  tags: z.array(z.string()).optional(),
  customFields: z.array(customFieldInput).optional(),
  source: optionalText,
  dateOfBirth: z.union([z.string(), z.record(z.string(), z.unknown())]).nullable().optional(),
  country: optionalText,
  assignedTo: optionalText,
};

/** `UpdateContactDto`: no locationId, gender or companyName (ghl-platform.md §4). */
export const updateContactDto = z.strictObject(contactFields);

/** `CreateContactDto`. */
export const createContactDto = z.strictObject({
  ...contactFields,
  locationId: z.string().min(1),
  gender: optionalText,
  companyName: optionalText,
});

/** `UpsertContactDto`. */
export const upsertContactDto = z.strictObject({
  ...contactFields,
  locationId: z.string().min(1),
  gender: optionalText,
  companyName: optionalText,
  createNewIfDuplicateAllowed: z.boolean().optional(),
});

export type ContactInput = z.output<typeof updateContactDto> & { gender?: string | null; companyName?: string | null };

const SEARCH_OPERATORS = ['eq', 'not_eq', 'contains', 'not_contains', 'exists', 'not_exists', 'range'] as const;

type SearchFilter =
  | { field: string; operator: (typeof SEARCH_OPERATORS)[number]; value?: unknown }
  | { group: 'AND' | 'OR'; filters: SearchFilter[] };

const searchFilter: z.ZodType<SearchFilter> = z.lazy(() =>
  z.union([
    z.object({ group: z.enum(['AND', 'OR']), filters: z.array(searchFilter) }),
    z.object({ field: z.string().min(1), operator: z.enum(SEARCH_OPERATORS), value: z.unknown().optional() }),
  ]),
);

/**
 * `SearchBodyV2DTO` is empty in the spec; the body documented for "Search Contacts" (ghl-platform.md §4):
 * pageLimit max 500, filters with operators eq/not_eq/contains/not_contains/exists/not_exists/range.
 */
export const searchContactsDto = z.object({
  locationId: z.string().min(1),
  page: z.number().int().min(1).optional(),
  pageLimit: z.number().int().min(1).max(500).optional(),
  query: z.string().optional(),
  filters: z.array(searchFilter).optional(),
  sort: z.array(z.object({ field: z.string(), direction: z.enum(['asc', 'desc']) })).optional(),
  searchAfter: z.array(z.unknown()).optional(),
});
export type SearchContactsInput = z.output<typeof searchContactsDto>;
export type { SearchFilter };

/** `CreateTaskParams`: title, dueDate and completed are required. */
export const createTaskDto = z.strictObject({
  title: z.string().min(1),
  body: z.string().optional(),
  dueDate: isoDate('dueDate'),
  completed: z.boolean(),
  assignedTo: z.string().optional(),
});

/** `UpdateTaskBody`. */
export const updateTaskDto = z.strictObject({
  title: z.string().min(1).optional(),
  body: z.string().optional(),
  dueDate: isoDate('dueDate').optional(),
  completed: z.boolean().optional(),
  assignedTo: z.string().nullable().optional(),
});

/** `UpdateTaskStatusParams`. */
export const taskCompletedDto = z.strictObject({ completed: z.boolean() });

/** `NotesDTO`: body is required. */
export const createNoteDto = z.strictObject({
  userId: z.string().optional(),
  body: z.string().min(1),
  title: z.string().optional(),
  color: z.string().optional(),
  pinned: z.boolean().optional(),
});

/** `UpdateNoteDTO`. */
export const updateNoteDto = createNoteDto.partial();

/** `TagsDTO`. */
export const tagsDto = z.strictObject({ tags: z.array(z.string()) });

/** `GetAccessCodebodyDto` (form fields). */
export const tokenRequestDto = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  grant_type: z.enum(['authorization_code', 'refresh_token', 'client_credentials']),
  code: z.string().optional(),
  refresh_token: z.string().optional(),
  user_type: z.enum(['Company', 'Location']).optional(),
  redirect_uri: z.string().optional(),
});

/** `GetLocationAccessCodeBodyDto`. */
export const locationTokenDto = z.strictObject({ companyId: z.string().min(1), locationId: z.string().min(1) });

/** Query of `GET /oauth/installedLocations`. */
export const installedLocationsQuery = z.object({
  companyId: z.string().min(1),
  appId: z.string().min(1),
  skip: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).optional(),
  query: z.string().optional(),
  isInstalled: z.enum(['true', 'false']).optional(),
  locationId: z.string().optional(),
});
