import * as z from 'zod/mini';
import { IdSchema } from './common';

/** A user of the session's location (GHL users API), for the task assignee picker. */
export const LocationUserSchema = z.object({
  id: IdSchema,
  name: z.string(),
  email: z.nullable(z.string()),
});
export type LocationUser = z.infer<typeof LocationUserSchema>;

/** `GET /api/users` → `{data: UserList}`, sorted by name. */
export const UserListSchema = z.object({ users: z.array(LocationUserSchema) });
export type UserList = z.infer<typeof UserListSchema>;
