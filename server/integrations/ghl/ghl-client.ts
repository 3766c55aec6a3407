import type { z } from 'zod';
import { UpstreamError } from '../../errors';
import { GhlHttp, type GhlHttpOptions, type GhlRequest } from './ghl-http';
import {
  GhlAppointmentsEnvelope,
  GhlContactEnvelope,
  GhlContactsListEnvelope,
  GhlDeleteEnvelope,
  GhlDuplicateEnvelope,
  GhlLocationEnvelope,
  GhlLocationTagsEnvelope,
  GhlNoteEnvelope,
  GhlNotesEnvelope,
  GhlSearchContactsEnvelope,
  GhlTagsEnvelope,
  GhlTaskEnvelope,
  GhlTasksEnvelope,
  GhlUpdateContactEnvelope,
  GhlUpsertContactEnvelope,
  GhlUsersEnvelope,
  type GhlAppointment,
  type GhlContact,
  type GhlContactInput,
  type GhlContactUpdate,
  type GhlLocation,
  type GhlNote,
  type GhlTask,
  type GhlUser,
} from './ghl-schemas';

/** Supplies location access tokens; implemented by the OAuth token service (server/oauth). */
export interface GhlTokenProvider {
  /** A valid token for the location, refreshed ahead of expiry. */
  getAccessToken(locationId: string): Promise<string>;
  /** Single-flight refresh after GHL answered 401 to `failedToken`; returns the token to retry with. */
  refreshAfterUnauthorized(locationId: string, failedToken: string): Promise<string>;
}

/** One finished HTTP exchange with GHL, for metrics. `status` is 0 when no answer arrived. */
export interface GhlCallInfo {
  locationId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

export type GhlClientOptions = GhlHttpOptions;
export type { GhlContactInput, GhlContactUpdate } from './ghl-schemas';

export interface GhlTaskInput {
  title: string;
  body?: string;
  dueDate: string;
  completed: boolean;
  assignedTo?: string;
}

/** Fields GHL's PUT /contacts/{id} rejects with 422 (UpdateContactDto has none of them; issue #313). */
const NOT_ON_UPDATE = ['locationId', 'gender', 'companyName', 'createNewIfDuplicateAllowed'] as const;

const seg = encodeURIComponent;

/**
 * GHL API v2 for one location at a time: contacts, tasks, notes, tags, appointments, users, the location.
 * Every method takes the location id first; it picks the token and the rate-limit bucket. Failures are
 * UpstreamError (service 'ghl') classified for the job worker; nothing is retried here except one 401.
 */
export class GhlClient {
  private readonly http: GhlHttp;

  constructor(opts: GhlClientOptions) {
    this.http = new GhlHttp(opts);
  }

  /** GET /contacts/{contactId} (get-contact). A missing contact is UpstreamError permanent, status 404. */
  async getContact(locationId: string, contactId: string): Promise<GhlContact> {
    const res = await this.call(locationId, { method: 'GET', path: `/contacts/${seg(contactId)}`, schema: GhlContactEnvelope });
    return res.contact;
  }

  /** POST /contacts/ (create-contact). Fails with 400 on a duplicate when the location forbids them. */
  async createContact(locationId: string, input: GhlContactInput): Promise<GhlContact> {
    const body = { ...withoutUndefined(input), locationId };
    const res = await this.call(locationId, { method: 'POST', path: '/contacts/', body, schema: GhlContactEnvelope });
    return res.contact;
  }

  /** PUT /contacts/{contactId} (update-contact); `locationId`, `gender`, `companyName` are dropped. */
  async updateContact(locationId: string, contactId: string, input: GhlContactUpdate): Promise<GhlContact> {
    const body: Record<string, unknown> = withoutUndefined(input);
    for (const key of NOT_ON_UPDATE) delete body[key];
    const res = await this.call(locationId, {
      method: 'PUT',
      path: `/contacts/${seg(contactId)}`,
      body,
      schema: GhlUpdateContactEnvelope,
    });
    return res.contact;
  }

  /** DELETE /contacts/{contactId} (delete-contact). */
  async deleteContact(locationId: string, contactId: string): Promise<void> {
    await this.call(locationId, { method: 'DELETE', path: `/contacts/${seg(contactId)}`, schema: GhlDeleteEnvelope });
  }

  /**
   * POST /contacts/upsert (upsert-contact). GHL matches by the location's duplicate settings (email/phone
   * priority) and, caution, replaces all tags when `tags` is sent: prefer addTags.
   */
  async upsertContact(locationId: string, input: GhlContactInput): Promise<{ contact: GhlContact; created: boolean }> {
    const body = { ...withoutUndefined(input), locationId };
    const res = await this.call(locationId, {
      method: 'POST',
      path: '/contacts/upsert',
      body,
      schema: GhlUpsertContactEnvelope,
    });
    return { contact: res.contact, created: res.new };
  }

  /**
   * POST /contacts/search (search-contacts-advanced; body documented outside the spec: `pageLimit` ≤ 500,
   * filters `{field, operator, value}`). Results lag writes by a few seconds.
   */
  async searchContacts(
    locationId: string,
    params: { query?: string; page?: number; pageLimit?: number; filters?: unknown[] },
  ): Promise<{ contacts: GhlContact[]; total: number }> {
    const body = withoutUndefined({ locationId, ...params });
    const res = await this.call(locationId, {
      method: 'POST',
      path: '/contacts/search',
      body,
      schema: GhlSearchContactsEnvelope,
    });
    return { contacts: res.contacts, total: res.total ?? res.contacts.length };
  }

  /** GET /contacts/search/duplicate (get-duplicate-contact): the contact GHL's duplicate rules would match. */
  async findDuplicate(locationId: string, by: { email?: string; phone?: string }): Promise<GhlContact | null> {
    if (!by.email && !by.phone) return null;
    const res = await this.call(locationId, {
      method: 'GET',
      path: '/contacts/search/duplicate',
      query: { locationId, email: by.email || undefined, number: by.phone || undefined },
      schema: GhlDuplicateEnvelope,
    });
    return res.contact ?? null;
  }

  /** GET /contacts/business/{businessId} (get-contacts-by-businessId). */
  async contactsByBusiness(
    locationId: string,
    businessId: string,
    params: { limit?: number; skip?: number } = {},
  ): Promise<GhlContact[]> {
    const res = await this.call(locationId, {
      method: 'GET',
      path: `/contacts/business/${seg(businessId)}`,
      query: { locationId, limit: params.limit, skip: params.skip },
      schema: GhlContactsListEnvelope,
    });
    return res.contacts;
  }

  /** GET /contacts/{contactId}/appointments (get-appointments-for-contact). */
  async listAppointments(locationId: string, contactId: string): Promise<GhlAppointment[]> {
    const path = `/contacts/${seg(contactId)}/appointments`;
    return (await this.call(locationId, { method: 'GET', path, schema: GhlAppointmentsEnvelope })).events;
  }

  /** GET /contacts/{contactId}/tasks (get-all-tasks). */
  async listTasks(locationId: string, contactId: string): Promise<GhlTask[]> {
    const path = `/contacts/${seg(contactId)}/tasks`;
    return (await this.call(locationId, { method: 'GET', path, schema: GhlTasksEnvelope })).tasks;
  }

  /** GET /contacts/{contactId}/tasks/{taskId} (get-task). */
  async getTask(locationId: string, contactId: string, taskId: string): Promise<GhlTask> {
    const path = `/contacts/${seg(contactId)}/tasks/${seg(taskId)}`;
    return (await this.call(locationId, { method: 'GET', path, schema: GhlTaskEnvelope })).task;
  }

  /** POST /contacts/{contactId}/tasks (create-task: `title`, `dueDate`, `completed` required). */
  async createTask(locationId: string, contactId: string, input: GhlTaskInput): Promise<GhlTask> {
    const path = `/contacts/${seg(contactId)}/tasks`;
    const body = withoutUndefined(input);
    return (await this.call(locationId, { method: 'POST', path, body, schema: GhlTaskEnvelope })).task;
  }

  /** PUT /contacts/{contactId}/tasks/{taskId} (update-task). */
  async updateTask(locationId: string, contactId: string, taskId: string, input: Partial<GhlTaskInput>): Promise<GhlTask> {
    const path = `/contacts/${seg(contactId)}/tasks/${seg(taskId)}`;
    const body = withoutUndefined(input);
    return (await this.call(locationId, { method: 'PUT', path, body, schema: GhlTaskEnvelope })).task;
  }

  /** PUT /contacts/{contactId}/tasks/{taskId}/completed (update-task-completed). */
  async completeTask(locationId: string, contactId: string, taskId: string, completed = true): Promise<GhlTask> {
    const path = `/contacts/${seg(contactId)}/tasks/${seg(taskId)}/completed`;
    return (await this.call(locationId, { method: 'PUT', path, body: { completed }, schema: GhlTaskEnvelope })).task;
  }

  /** DELETE /contacts/{contactId}/tasks/{taskId} (delete-task). */
  async deleteTask(locationId: string, contactId: string, taskId: string): Promise<void> {
    const path = `/contacts/${seg(contactId)}/tasks/${seg(taskId)}`;
    await this.call(locationId, { method: 'DELETE', path, schema: GhlDeleteEnvelope });
  }

  /** GET /contacts/{contactId}/notes (get-all-notes). */
  async listNotes(locationId: string, contactId: string): Promise<GhlNote[]> {
    const path = `/contacts/${seg(contactId)}/notes`;
    return (await this.call(locationId, { method: 'GET', path, schema: GhlNotesEnvelope })).notes;
  }

  /** GET /contacts/{contactId}/notes/{id} (get-note). */
  async getNote(locationId: string, contactId: string, noteId: string): Promise<GhlNote> {
    const path = `/contacts/${seg(contactId)}/notes/${seg(noteId)}`;
    return (await this.call(locationId, { method: 'GET', path, schema: GhlNoteEnvelope })).note;
  }

  /** POST /contacts/{contactId}/notes (create-note: `body` required; `userId` shows as the author). */
  async createNote(locationId: string, contactId: string, input: { body: string; userId?: string }): Promise<GhlNote> {
    const path = `/contacts/${seg(contactId)}/notes`;
    const body = withoutUndefined(input);
    return (await this.call(locationId, { method: 'POST', path, body, schema: GhlNoteEnvelope })).note;
  }

  /** PUT /contacts/{contactId}/notes/{id} (update-note). */
  async updateNote(
    locationId: string,
    contactId: string,
    noteId: string,
    input: { body: string; userId?: string },
  ): Promise<GhlNote> {
    const path = `/contacts/${seg(contactId)}/notes/${seg(noteId)}`;
    const body = withoutUndefined(input);
    return (await this.call(locationId, { method: 'PUT', path, body, schema: GhlNoteEnvelope })).note;
  }

  /** DELETE /contacts/{contactId}/notes/{id} (delete-note). */
  async deleteNote(locationId: string, contactId: string, noteId: string): Promise<void> {
    const path = `/contacts/${seg(contactId)}/notes/${seg(noteId)}`;
    await this.call(locationId, { method: 'DELETE', path, schema: GhlDeleteEnvelope });
  }

  /** POST /contacts/{contactId}/tags (add-tags). Returns the contact's tags as GHL reports them. */
  async addTags(locationId: string, contactId: string, tags: string[]): Promise<string[]> {
    const path = `/contacts/${seg(contactId)}/tags`;
    return (await this.call(locationId, { method: 'POST', path, body: { tags }, schema: GhlTagsEnvelope })).tags;
  }

  /** DELETE /contacts/{contactId}/tags with a `{tags}` body (remove-tags). */
  async removeTags(locationId: string, contactId: string, tags: string[]): Promise<string[]> {
    const path = `/contacts/${seg(contactId)}/tags`;
    return (await this.call(locationId, { method: 'DELETE', path, body: { tags }, schema: GhlTagsEnvelope })).tags;
  }

  /** GET /users/?locationId= (apps/users.json get-user-by-location): the location's users, for task owners. */
  async listUsers(locationId: string): Promise<GhlUser[]> {
    const req = { method: 'GET', path: '/users/', query: { locationId }, schema: GhlUsersEnvelope } as const;
    return (await this.call(locationId, req)).users;
  }

  /** GET /locations/{locationId} (apps/locations.json get-location): name, timezone, company. */
  async getLocation(locationId: string): Promise<GhlLocation> {
    const path = `/locations/${seg(locationId)}`;
    return (await this.call(locationId, { method: 'GET', path, schema: GhlLocationEnvelope })).location;
  }

  /** GET /locations/{locationId}/tags (apps/locations.json get-location-tags): tag suggestions for the panel. */
  async listLocationTags(locationId: string): Promise<string[]> {
    const path = `/locations/${seg(locationId)}/tags`;
    return (await this.call(locationId, { method: 'GET', path, schema: GhlLocationTagsEnvelope })).tags.map((t) => t.name);
  }

  /**
   * GHL reports a missing record on GET/DELETE sometimes as 404 and sometimes as 400 "… not found"
   * (NestJS validation of the id). Both become status 404 so callers can test `.status === 404`; writes keep
   * their 400, since there "not found" may name a custom field or user rather than the record.
   */
  private async call<S extends z.ZodType>(locationId: string, req: GhlRequest<S>): Promise<z.output<S>> {
    try {
      return await this.http.request(locationId, req);
    } catch (err) {
      if (
        err instanceof UpstreamError &&
        err.kind === 'permanent' &&
        err.status === 400 &&
        (req.method === 'GET' || req.method === 'DELETE') &&
        /not\s*found|does not exist/i.test(err.message)
      ) {
        throw new UpstreamError('ghl', 'permanent', err.message, { status: 404, body: err.body });
      }
      throw err;
    }
  }
}

function withoutUndefined<T extends object>(input: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}
