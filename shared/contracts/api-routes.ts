import type * as z from 'zod/mini';
import { ActivityPageSchema, ActivityEntrySchema, ActivityParamsSchema, ActivityQuerySchema } from './activity';
import { AppointmentListSchema } from './appointments';
import { ContactParamsSchema } from './common';
import { ContactSearchQuerySchema, ContactSearchResultSchema, ContactSummarySchema } from './contacts';
import { MessagePageSchema, MessageQuerySchema } from './messages';
import { CreateNoteInputSchema, NoteListSchema, NoteSchema } from './notes';
import { SessionRequestSchema, SessionResponseSchema } from './session';
import {
  RegisterWebhooksInputSchema,
  RegisterWebhooksResultSchema,
  ResponderTestInputSchema,
  ResponderTestResultSchema,
  RotateKeyInputSchema,
  SettingsSchema,
  UpdateSettingsInputSchema,
} from './settings';
import { TagListSchema, TagsInputSchema } from './tags';
import { CompleteTaskInputSchema, CreateTaskInputSchema, TaskListSchema, TaskParamsSchema, TaskSchema } from './tasks';
import { UserListSchema } from './users';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * One `/api/*` route. `response` is the payload inside `{"data": …}`; errors are `ApiErrorBody` (errors.ts).
 * `auth`: `none` (no bearer), `user` (any session), `admin` (session with role admin, else 403 `forbidden`).
 * `idempotent`: the route honours the `Idempotency-Key` header (a repeat answers the first result; the same key
 * with a different body is 422 `idempotency_key_reused`).
 */
export interface RouteContract {
  method: HttpMethod;
  path: string;
  auth: 'none' | 'user' | 'admin';
  params?: z.ZodMiniType;
  query?: z.ZodMiniType;
  body?: z.ZodMiniType;
  response: z.ZodMiniType;
  status: 200 | 201 | 202;
  idempotent: boolean;
}

/**
 * Every route of the panel API (SPEC §2): the single source for the Express routes and the panel's client.
 * Any contact route answers 404 `not_found` for a contact outside the session's location.
 */
export const apiRoutes = {
  createSession: {
    method: 'POST', path: '/api/session', auth: 'none',
    body: SessionRequestSchema, response: SessionResponseSchema, status: 200, idempotent: false,
  },
  searchContacts: {
    method: 'GET', path: '/api/contacts', auth: 'user',
    query: ContactSearchQuerySchema, response: ContactSearchResultSchema, status: 200, idempotent: false,
  },
  getContact: {
    method: 'GET', path: '/api/contacts/:contactId', auth: 'user',
    params: ContactParamsSchema, response: ContactSummarySchema, status: 200, idempotent: false,
  },
  listMessages: {
    method: 'GET', path: '/api/contacts/:contactId/messages', auth: 'user',
    params: ContactParamsSchema, query: MessageQuerySchema, response: MessagePageSchema, status: 200, idempotent: false,
  },
  listNotes: {
    method: 'GET', path: '/api/contacts/:contactId/notes', auth: 'user',
    params: ContactParamsSchema, response: NoteListSchema, status: 200, idempotent: false,
  },
  createNote: {
    method: 'POST', path: '/api/contacts/:contactId/notes', auth: 'user',
    params: ContactParamsSchema, body: CreateNoteInputSchema, response: NoteSchema, status: 201, idempotent: true,
  },
  listTasks: {
    method: 'GET', path: '/api/contacts/:contactId/tasks', auth: 'user',
    params: ContactParamsSchema, response: TaskListSchema, status: 200, idempotent: false,
  },
  createTask: {
    method: 'POST', path: '/api/contacts/:contactId/tasks', auth: 'user',
    params: ContactParamsSchema, body: CreateTaskInputSchema, response: TaskSchema, status: 201, idempotent: true,
  },
  completeTask: {
    method: 'PUT', path: '/api/contacts/:contactId/tasks/:taskId/completed', auth: 'user',
    params: TaskParamsSchema, body: CompleteTaskInputSchema, response: TaskSchema, status: 200, idempotent: true,
  },
  addTags: {
    method: 'POST', path: '/api/contacts/:contactId/tags', auth: 'user',
    params: ContactParamsSchema, body: TagsInputSchema, response: TagListSchema, status: 201, idempotent: true,
  },
  removeTags: {
    method: 'DELETE', path: '/api/contacts/:contactId/tags', auth: 'user',
    params: ContactParamsSchema, body: TagsInputSchema, response: TagListSchema, status: 200, idempotent: true,
  },
  listAppointments: {
    method: 'GET', path: '/api/contacts/:contactId/appointments', auth: 'user',
    params: ContactParamsSchema, response: AppointmentListSchema, status: 200, idempotent: false,
  },
  /** The location's known tags (GHL `GET /locations/:id/tags`), for tag suggestions. */
  listLocationTags: {
    method: 'GET', path: '/api/tags', auth: 'user',
    response: TagListSchema, status: 200, idempotent: false,
  },
  /** The location's users (GHL users API), for the task assignee picker. */
  listUsers: {
    method: 'GET', path: '/api/users', auth: 'user',
    response: UserListSchema, status: 200, idempotent: false,
  },
  getSettings: {
    method: 'GET', path: '/api/settings', auth: 'user',
    response: SettingsSchema, status: 200, idempotent: false,
  },
  updateSettings: {
    method: 'PUT', path: '/api/settings', auth: 'admin',
    body: UpdateSettingsInputSchema, response: SettingsSchema, status: 200, idempotent: true,
  },
  testResponder: {
    method: 'POST', path: '/api/settings/responder/test', auth: 'admin',
    body: ResponderTestInputSchema, response: ResponderTestResultSchema, status: 200, idempotent: false,
  },
  registerResponderWebhooks: {
    method: 'POST', path: '/api/settings/responder/register-webhooks', auth: 'admin',
    body: RegisterWebhooksInputSchema, response: RegisterWebhooksResultSchema, status: 200, idempotent: true,
  },
  rotateResponderKey: {
    method: 'POST', path: '/api/settings/responder/rotate-key', auth: 'admin',
    body: RotateKeyInputSchema, response: SettingsSchema, status: 200, idempotent: true,
  },
  listActivity: {
    method: 'GET', path: '/api/activity', auth: 'user',
    query: ActivityQuerySchema, response: ActivityPageSchema, status: 200, idempotent: false,
  },
  replayActivity: {
    method: 'POST', path: '/api/activity/:id/replay', auth: 'user',
    params: ActivityParamsSchema, response: ActivityEntrySchema, status: 202, idempotent: true,
  },
} as const satisfies Record<string, RouteContract>;

export type ApiRoutes = typeof apiRoutes;
export type ApiRouteName = keyof ApiRoutes;
