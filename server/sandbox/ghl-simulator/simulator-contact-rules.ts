import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { ContactInput } from './simulator-dtos';
import type { SimContact, SimCustomField, SimLocation } from './simulator-entities';
import type { SimulatorState } from './simulator-state';

export type DuplicateField = 'email' | 'phone';

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/**
 * GHL compares phones as E.164 (its duplicate search wants `+` URL-encoded for that reason, apps/contacts.json):
 * parse with the location's country; what does not parse is compared as its bare digits.
 */
export function normalisePhone(phone: string, country: string): string {
  const parsed = parsePhoneNumberFromString(phone, country as CountryCode);
  if (parsed?.isValid()) return parsed.number;
  return phone.replace(/\D/g, '');
}

/** GHL keeps tags lower-case and unique; adding one that exists in another case is a no-op. */
export function normaliseTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim().toLowerCase();
    if (tag !== '' && !out.includes(tag)) out.push(tag);
  }
  return out;
}

function fieldMatches(contact: SimContact, field: DuplicateField, value: string, location: SimLocation): boolean {
  if (field === 'email') return contact.email !== undefined && normaliseEmail(contact.email) === normaliseEmail(value);
  if (contact.phone === undefined || contact.phone === '') return false;
  return normalisePhone(contact.phone, location.country) === normalisePhone(value, location.country);
}

/** The oldest contact of the location whose email/phone equals `value` (other than `exceptId`). */
export function findByField(
  state: SimulatorState,
  location: SimLocation,
  field: DuplicateField,
  value: string,
  exceptId?: string,
): SimContact | undefined {
  if (value.trim() === '') return undefined;
  return state.contactsOf(location.id).find((c) => c.id !== exceptId && fieldMatches(c, field, value, location));
}

/** The first match in the location's configured priority order (Settings → Allow Duplicate Contact). */
export function findDuplicate(
  state: SimulatorState,
  location: SimLocation,
  values: { email?: string | null; phone?: string | null },
  exceptId?: string,
): { contact: SimContact; field: DuplicateField } | undefined {
  for (const field of location.duplicatePriority) {
    const value = values[field];
    if (!value) continue;
    const contact = findByField(state, location, field, value, exceptId);
    if (contact) return { contact, field };
  }
  return undefined;
}

const TEXT_FIELDS = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'companyName',
  'address1',
  'city',
  'state',
  'postalCode',
  'country',
  'website',
  'timezone',
  'source',
  'assignedTo',
  'gender',
] as const;

/**
 * Writes a validated DTO onto a contact. Tags given here replace the list (upsert "will overwrite all current
 * tags", ghl-platform.md §4); custom fields merge by id; `null` clears a field.
 */
export function applyContactInput(contact: SimContact, input: ContactInput, nowIso: string): void {
  const target = contact as unknown as Record<string, unknown>;
  for (const field of TEXT_FIELDS) {
    if (!(field in input)) continue;
    const value = input[field];
    if (value === null || value === undefined) delete target[field];
    else target[field] = field === 'email' ? value.trim() : value;
  }
  const namesGiven = 'firstName' in input || 'lastName' in input;
  if (typeof input.name === 'string' && !namesGiven) {
    const [first, ...rest] = input.name.trim().split(/\s+/);
    contact.firstName = first;
    if (rest.length > 0) contact.lastName = rest.join(' ');
    else delete contact.lastName;
  }
  if (typeof input.name === 'string' && input.name.trim() !== '') contact.name = input.name.trim();
  else if (namesGiven || input.name === null) {
    const full = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
    if (full) contact.name = full;
    else delete contact.name;
  }
  if (input.dateOfBirth !== undefined) {
    if (input.dateOfBirth === null) delete contact.dateOfBirth;
    else contact.dateOfBirth = typeof input.dateOfBirth === 'string' ? input.dateOfBirth : JSON.stringify(input.dateOfBirth);
  }
  if (input.dnd !== undefined) contact.dnd = input.dnd;
  if (input.dndSettings !== undefined) contact.dndSettings = { ...contact.dndSettings, ...input.dndSettings };
  if (input.inboundDndSettings !== undefined)
    contact.inboundDndSettings = { ...contact.inboundDndSettings, ...input.inboundDndSettings };
  if (input.tags !== undefined) contact.tags = normaliseTags(input.tags);
  if (input.customFields !== undefined) contact.customFields = mergeCustomFields(contact.customFields, input.customFields);
  contact.dateUpdated = nowIso;
}

function mergeCustomFields(
  current: SimCustomField[],
  updates: NonNullable<ContactInput['customFields']>,
): SimCustomField[] {
  const merged = current.map((f) => ({ ...f }));
  for (const update of updates) {
    const id = update.id ?? update.key!;
    const value = update.field_value !== undefined ? update.field_value : update.value;
    const existing = merged.find((f) => f.id === id);
    if (existing) existing.value = value;
    else merged.push({ id, value });
  }
  return merged;
}

/** The contact as GHL's `GetContectByIdSchema` answers it, derived lower-case fields included. */
export function serialiseContact(contact: SimContact): Record<string, unknown> {
  const out = structuredClone(contact) as unknown as Record<string, unknown>;
  if (contact.email !== undefined) out.emailLowerCase = normaliseEmail(contact.email);
  if (contact.firstName !== undefined) out.firstNameLowerCase = contact.firstName.toLowerCase();
  if (contact.lastName !== undefined) out.lastNameLowerCase = contact.lastName.toLowerCase();
  if (contact.name !== undefined) out.fullNameLowerCase = contact.name.toLowerCase();
  return out;
}

/** Free-text search over name, email and phone (digits), as the search box in GHL does. */
export function matchesQuery(contact: SimContact, query: string, country: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return true;
  const texts = [contact.name, contact.firstName, contact.lastName, contact.email, contact.companyName];
  if (texts.some((t) => t !== undefined && t.toLowerCase().includes(q))) return true;
  const digits = q.replace(/\D/g, '');
  if (digits.length < 3 || !contact.phone) return false;
  const stored = contact.phone.replace(/\D/g, '');
  return stored.includes(digits) || normalisePhone(contact.phone, country) === normalisePhone(query, country);
}
