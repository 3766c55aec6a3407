import * as z from 'zod/mini';
import { AppError } from '../errors';

/** One failed field, as the panel shows it next to the input: `path` is dotted (`defaults.country`). */
export interface FieldIssue {
  path: string;
  message: string;
}

function issuesOf(error: z.core.$ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

function describe(issues: FieldIssue[]): string {
  const first = issues[0];
  if (!first) return 'Invalid input';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `${first.path || 'body'}: ${first.message}${more}`;
}

// The contracts (shared/contracts) are zod/mini schemas; the core `safeParse` takes classic and mini alike.

/** Parses a request body: 422 `validation_failed` naming each bad field in `details`. */
export function parseBody<S extends z.core.$ZodType>(schema: S, value: unknown): z.core.output<S> {
  const parsed = z.safeParse(schema, value ?? {});
  if (parsed.success) return parsed.data;
  const issues = issuesOf(parsed.error);
  throw new AppError(422, 'validation_failed', describe(issues), { details: issues });
}

/** Parses route parameters or a query string: 400 `bad_request` naming each bad field in `details`. */
export function parseRequestPart<S extends z.core.$ZodType>(schema: S, value: unknown): z.core.output<S> {
  const parsed = z.safeParse(schema, value ?? {});
  if (parsed.success) return parsed.data;
  const issues = issuesOf(parsed.error);
  throw new AppError(400, 'bad_request', describe(issues), { details: issues });
}
