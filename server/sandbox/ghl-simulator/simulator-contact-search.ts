import type { SearchContactsInput, SearchFilter } from './simulator-dtos';
import { unprocessable } from './simulator-http';
import { matchesQuery, normaliseEmail, normalisePhone, serialiseContact } from './simulator-contact-rules';
import type { SimContact, SimLocation } from './simulator-entities';
import type { SimulatorState } from './simulator-state';

// POST /contacts/search as documented for "Search Contacts" (ghl-platform.md §4): page/pageLimit paging
// (pageLimit ≤ 500), searchAfter cursors, AND/OR filter groups, operators eq, not_eq, contains,
// not_contains, exists, not_exists, range.

const DEFAULT_PAGE_LIMIT = 20;

/** Runs a search; contacts come back serialised, each with its `searchAfter` cursor. */
export function searchContacts(
  state: SimulatorState,
  location: SimLocation,
  input: SearchContactsInput,
): { contacts: Record<string, unknown>[]; total: number } {
  const matching = state
    .contactsOf(location.id)
    .map((contact, index) => ({ contact, index }))
    .filter(({ contact }) => input.query === undefined || matchesQuery(contact, input.query, location.country))
    .filter(({ contact }) => (input.filters ?? []).every((f) => evaluate(contact, f, location)));

  const sort = input.sort && input.sort.length > 0 ? input.sort : [{ field: 'dateAdded', direction: 'desc' as const }];
  matching.sort((a, b) => {
    for (const { field, direction } of sort) {
      const diff = compare(fieldValue(a.contact, field), fieldValue(b.contact, field));
      if (diff !== 0) return direction === 'asc' ? diff : -diff;
    }
    return b.index - a.index;
  });

  const pageLimit = input.pageLimit ?? DEFAULT_PAGE_LIMIT;
  let start = ((input.page ?? 1) - 1) * pageLimit;
  const afterId = input.searchAfter?.at(-1);
  if (typeof afterId === 'string') {
    const at = matching.findIndex(({ contact }) => contact.id === afterId);
    start = at === -1 ? matching.length : at + 1;
  }
  const contacts = matching.slice(start, start + pageLimit).map(({ contact }) => ({
    ...serialiseContact(contact),
    searchAfter: [Date.parse(contact.dateAdded), contact.id],
  }));
  return { contacts, total: matching.length };
}

function fieldValue(contact: SimContact, field: string): unknown {
  if (field.startsWith('customFields.')) {
    const id = field.slice('customFields.'.length);
    return contact.customFields.find((f) => f.id === id)?.value;
  }
  return serialiseContact(contact)[field];
}

function evaluate(contact: SimContact, filter: SearchFilter, location: SimLocation): boolean {
  if ('group' in filter) {
    const results = filter.filters.map((f) => evaluate(contact, f, location));
    return filter.group === 'AND' ? results.every(Boolean) : results.some(Boolean);
  }
  const actual = fieldValue(contact, filter.field);
  const present = actual !== undefined && actual !== null && actual !== '' && !(Array.isArray(actual) && actual.length === 0);
  const same = (a: unknown, b: unknown) => scalarEquals(filter.field, a, b, location.country);
  const eq = () => {
    const wanted = Array.isArray(filter.value) ? filter.value : [filter.value];
    const have = Array.isArray(actual) ? actual : [actual];
    return wanted.some((w) => have.some((h) => same(h, w)));
  };
  const contains = () => {
    const needle = String(filter.value ?? '').toLowerCase();
    const have = Array.isArray(actual) ? actual : [actual];
    return have.some((h) => h !== undefined && h !== null && String(h).toLowerCase().includes(needle));
  };
  switch (filter.operator) {
    case 'eq':
      return eq();
    case 'not_eq':
      return !eq();
    case 'contains':
      return contains();
    case 'not_contains':
      return !contains();
    case 'exists':
      return present;
    case 'not_exists':
      return !present;
    case 'range':
      return inRange(actual, filter.value);
  }
}

function scalarEquals(field: string, actual: unknown, wanted: unknown, country: string): boolean {
  if (typeof actual === 'string' && typeof wanted === 'string') {
    if (field === 'phone') return normalisePhone(actual, country) === normalisePhone(wanted, country);
    if (field === 'email') return normaliseEmail(actual) === normaliseEmail(wanted);
    return actual.toLowerCase() === wanted.toLowerCase();
  }
  return actual === wanted;
}

function inRange(actual: unknown, bounds: unknown): boolean {
  if (typeof bounds !== 'object' || bounds === null) throw unprocessable(['range filters need a value object']);
  const value = toComparable(actual);
  if (value === undefined) return false;
  const { gt, gte, lt, lte } = bounds as Record<string, unknown>;
  const check = (bound: unknown, ok: (b: number) => boolean) => {
    const b = toComparable(bound);
    return b === undefined || ok(b);
  };
  return (
    check(gt, (b) => value > b) && check(gte, (b) => value >= b) && check(lt, (b) => value < b) && check(lte, (b) => value <= b)
  );
}

function toComparable(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const date = Date.parse(value);
    if (!Number.isNaN(date)) return date;
    const num = Number(value);
    return Number.isNaN(num) ? undefined : num;
  }
  return undefined;
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  const na = toComparable(a);
  const nb = toComparable(b);
  if (na !== undefined && nb !== undefined) return na - nb;
  return String(a).localeCompare(String(b));
}
