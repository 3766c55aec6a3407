/**
 * In-memory Responder Live account for the simulator: lists, account-level subscribers with per-list membership,
 * tags and list webhooks, following the behaviour documented in ../../../shared/reference/responder-live.md §1.3.
 */

export interface SimList {
  id: number;
  name: string;
  dynamic: boolean;
  created: string;
  fields: SimField[];
}

export interface SimField {
  id: number;
  name: string;
  type_id: number;
  options: { id: number; name: string }[];
  default: string | null;
}

export interface SimSubscriber {
  id: number;
  email: string | null;
  phone: string | null;
  first: string | null;
  last: string | null;
  name: string | null;
  personal_fields: Record<string, unknown>;
  tags: number[];
  /** list id → inactive flag (Responder keeps list-level status, §1.3.2). */
  lists: Record<number, { inactive: boolean; joined: string }>;
  created: string;
}

export interface SimWebhook {
  id: number;
  list_id: number;
  url: string;
  name: string;
  events: number[];
  webhooks_send_type_id: number;
  merges: Record<string, string>;
}

export interface SubscriberInput {
  email?: unknown;
  phone?: unknown;
  first?: unknown;
  last?: unknown;
  name?: unknown;
  personal_fields?: unknown;
  tags?: unknown;
}

export type CreateOutcome =
  | { kind: 'created'; subscriber: SimSubscriber }
  | { kind: 'duplicate'; subscriber: SimSubscriber }
  | { kind: 'error'; error: string };

export class ResponderSimState {
  readonly lists = new Map<number, SimList>();
  readonly subscribers = new Map<number, SimSubscriber>();
  readonly tags = new Map<number, string>();
  readonly webhooks = new Map<number, SimWebhook>();
  private nextId = 1000;

  constructor(private readonly now: () => number) {}

  id(): number {
    return ++this.nextId;
  }

  /** Responder's naive local time format (`created: "2026-06-01 10:00:00"`). */
  stamp(): string {
    return new Date(this.now()).toISOString().slice(0, 19).replace('T', ' ');
  }

  addList(input: { id?: number; name: string; dynamic?: boolean; fields?: SimField[] }): SimList {
    const list: SimList = {
      id: input.id ?? this.id(),
      name: input.name,
      dynamic: input.dynamic ?? false,
      created: this.stamp(),
      fields: input.fields ?? [],
    };
    this.lists.set(list.id, list);
    return list;
  }

  /**
   * POST /subscribers semantics: email is the leading identity; a phone-only subscriber gains an email when the
   * same phone arrives with one (§1.3.1); existing values are updated, and `override` re-activates memberships.
   */
  createSubscriber(listIds: unknown, input: SubscriberInput, override: boolean): CreateOutcome {
    if (!Array.isArray(listIds) || listIds.length === 0) return { kind: 'error', error: 'list_ids is required' };
    const ids = listIds.map(Number);
    for (const id of ids) {
      const list = this.lists.get(id);
      if (!list) return { kind: 'error', error: `List ${id} not found` };
      if (list.dynamic) return { kind: 'error', error: `List ${id} is dynamic` };
    }
    const email = text(input.email)?.toLowerCase() ?? null;
    const phone = text(input.phone) === undefined ? null : String(input.phone).replace(/\D/g, '');
    if (!email && !phone) return { kind: 'error', error: 'email or phone is required' };
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return { kind: 'error', error: 'invalid email' };
    // Responder treats these mobile prefixes as invalid (responder/restapi Subscribers/ByList/README.md).
    if (phone && /^(056|059|97256|97259)/.test(phone)) return { kind: 'error', error: 'invalid phone' };

    const existing =
      (email ? [...this.subscribers.values()].find((s) => s.email === email) : undefined) ??
      (phone ? [...this.subscribers.values()].find((s) => s.phone === phone && (!s.email || !email)) : undefined);
    const subscriber: SimSubscriber = existing ?? {
      id: this.id(),
      email: null,
      phone: null,
      first: null,
      last: null,
      name: null,
      personal_fields: {},
      tags: [],
      lists: {},
      created: this.stamp(),
    };
    this.applyFields(subscriber, { ...input, email: email ?? undefined, phone: phone ?? undefined });
    for (const id of ids) {
      const membership = subscriber.lists[id];
      if (!membership) subscriber.lists[id] = { inactive: false, joined: this.stamp() };
      else if (override) membership.inactive = false;
    }
    this.subscribers.set(subscriber.id, subscriber);
    return { kind: existing ? 'duplicate' : 'created', subscriber };
  }

  applyFields(s: SimSubscriber, input: SubscriberInput): void {
    const email = text(input.email);
    if (email !== undefined) s.email = email.toLowerCase();
    if (text(input.phone) !== undefined) s.phone = String(input.phone).replace(/\D/g, '');
    for (const key of ['first', 'last', 'name'] as const) {
      const v = text(input[key]);
      if (v !== undefined) s[key] = v;
    }
    if (!s.name && (s.first || s.last)) s.name = [s.first, s.last].filter(Boolean).join(' ');
    if (input.personal_fields && typeof input.personal_fields === 'object') Object.assign(s.personal_fields, input.personal_fields);
    if (Array.isArray(input.tags)) {
      for (const t of input.tags.map(Number)) if (this.tags.has(t) && !s.tags.includes(t)) s.tags.push(t);
    }
  }

  search(searchKey: string, listId?: number): SimSubscriber[] {
    const key = searchKey.trim().toLowerCase();
    const digits = key.replace(/\D/g, '');
    return [...this.subscribers.values()].filter((s) => {
      if (listId !== undefined && !s.lists[listId]) return false;
      if (key === '') return true;
      return (
        s.email === key ||
        (digits.length >= 6 && s.phone !== null && (s.phone === digits || s.phone.endsWith(digits.slice(-9)))) ||
        String(s.id) === key ||
        (s.name ?? '').toLowerCase().includes(key)
      );
    });
  }

  createTag(name: string): number {
    for (const [id, existing] of this.tags) if (existing === name) return id;
    const id = this.id();
    this.tags.set(id, name);
    return id;
  }
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return value.trim();
}
