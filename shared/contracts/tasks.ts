import * as z from 'zod/mini';
import { IdSchema, IsoDateTimeSchema } from './common';

/** Hour of day (location time zone) tasks are due when nothing else says (settings `defaults.taskDueHour`). */
export const TASK_DUE_HOUR_DEFAULT = 10;

/** A GHL task on a contact. `assignedTo` is a location user id (see users.ts). */
export const TaskSchema = z.object({
  id: IdSchema,
  contactId: IdSchema,
  title: z.string(),
  body: z.nullable(z.string()),
  dueDate: IsoDateTimeSchema,
  completed: z.boolean(),
  assignedTo: z.nullable(IdSchema),
});
export type Task = z.infer<typeof TaskSchema>;

/** `GET /api/contacts/:contactId/tasks` → `{data: TaskList}`: open tasks first, then by due date. */
export const TaskListSchema = z.object({ tasks: z.array(TaskSchema) });
export type TaskList = z.infer<typeof TaskListSchema>;

/** `POST /api/contacts/:contactId/tasks` body → 201 `{data: Task}` (GHL requires title and dueDate). */
export const CreateTaskInputSchema = z.object({
  title: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  body: z.optional(z.string().check(z.maxLength(5000))),
  dueDate: IsoDateTimeSchema,
  assignedTo: z.optional(IdSchema),
});
export type CreateTaskInput = z.infer<typeof CreateTaskInputSchema>;

/** `PUT /api/contacts/:contactId/tasks/:taskId/completed` body → 200 `{data: Task}`. */
export const CompleteTaskInputSchema = z.object({ completed: z.boolean() });
export type CompleteTaskInput = z.infer<typeof CompleteTaskInputSchema>;

export const TaskParamsSchema = z.object({ contactId: IdSchema, taskId: IdSchema });
export type TaskParams = z.infer<typeof TaskParamsSchema>;
