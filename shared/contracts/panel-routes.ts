import { ActivityEntrySchema, ActivityPageSchema, ActivityParamsSchema, ActivityQuerySchema } from './activity';
import { AppointmentListSchema } from './appointments';
import { ContactParamsSchema } from './common';
import { ContactSearchQuerySchema, ContactSearchResultSchema, ContactSummarySchema } from './contacts';
import { MessagePageSchema, MessageQuerySchema } from './messages';
import { CreateNoteInputSchema, NoteListSchema, NoteSchema } from './notes';
import type { RouteContract } from './route-contract';
import { SessionRequestSchema, SessionResponseSchema } from './session';
import { TagListSchema, TagsInputSchema } from './tags';
import { CompleteTaskInputSchema, CreateTaskInputSchema, TaskListSchema, TaskParamsSchema, TaskSchema } from './tasks';
import { UserListSchema } from './users';

/**
 * The panel's everyday routes (session, contacts and their records, users, tags, activity). Settings routes live
 * in settings-routes.ts so their schemas (rules included) load only with the lazy Settings view.
 * Any contact route answers 404 `not_found` for a contact outside the session's location.
 */
export const panelRoutes = {
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
  listActivity: {
    method: 'GET', path: '/api/activity', auth: 'user',
    query: ActivityQuerySchema, response: ActivityPageSchema, status: 200, idempotent: false,
  },
  replayActivity: {
    method: 'POST', path: '/api/activity/:id/replay', auth: 'user',
    params: ActivityParamsSchema, response: ActivityEntrySchema, status: 202, idempotent: true,
  },
} as const satisfies Record<string, RouteContract>;
