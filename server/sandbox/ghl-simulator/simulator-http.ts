import type { ErrorRequestHandler } from 'express';
import type { z } from 'zod';

/** The `Version` header value of every contacts/users/locations/oauth-API operation (ghl-platform.md §1.5). */
export const GHL_API_VERSION = '2021-07-28';

/** An answer in GHL's own error shape, thrown by simulator handlers and written by `simulatorErrorHandler`. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.message === 'string' ? body.message : `GHL simulator answered ${status}`);
    this.name = 'SimHttpError';
  }
}

/** NestJS-style error body, the shape GHL's API answers with (`{statusCode, message}`). */
export const ghlError = (status: number, message: string | string[], extra: Record<string, unknown> = {}) =>
  new SimHttpError(status, { statusCode: status, message, ...extra });

export const invalidJwt = () => new SimHttpError(401, { statusCode: 401, message: 'Invalid JWT' });

// Wrong-location and wrong-token-type answers as reported in
// https://github.com/GoHighLevel/highlevel-api-docs/issues/213 (ghl-platform.md §7.2).
export const noLocationAccess = () => ghlError(401, 'The token does not have access to this location');
export const wrongTokenType = () =>
  ghlError(
    401,
    'This authClass type is not allowed to access this scope. Please reach out to the Platform team to get it added.',
  );

export const notFoundIn = (what: string) => ghlError(400, `${what} not found`, { error: 'Bad Request' });

export const unprocessable = (messages: string[]) =>
  new SimHttpError(422, { statusCode: 422, message: messages, error: 'Unprocessable Entity' });

/** OAuth token-endpoint errors use the RFC 6749 shape instead of NestJS's. */
export const oauthError = (status: number, error: string, description: string) =>
  new SimHttpError(status, { error, error_description: description });

/**
 * Parses a request body/query like GHL's NestJS validation pipe: unknown properties are rejected
 * (`property gender should not exist`, issue #313) and every problem is listed in a 422.
 */
export function parseDto<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const value = input ?? {};
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw unprocessable(result.error.issues.flatMap((issue) => describeIssue(issue, value)));
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string[] {
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => `property ${field ? `${field}.` : ''}${key} should not exist`);
  if (field !== '' && valueAt(input, issue.path) === undefined) return [`${field} should not be empty`];
  switch (issue.code) {
    case 'invalid_type':
      return [`${field} must be ${expectedText(issue.expected)}`];
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) <= 1) return [`${field} should not be empty`];
      return [`${field} must not be less than ${String(issue.minimum)}`];
    case 'too_big':
      return [`${field} must not be greater than ${String(issue.maximum)}`];
    case 'invalid_value':
      return [`${field} must be one of the following values: ${issue.values.map(String).join(', ')}`];
    case 'invalid_format':
      return [`${field} must be ${issue.format === 'email' ? 'an email' : `a valid ${issue.format}`}`];
    default:
      // Custom checks carry their GHL-style text in the schema itself.
      return [issue.message];
  }
}

function expectedText(expected: string): string {
  if (expected === 'boolean') return 'a boolean value';
  if (expected === 'array') return 'an array';
  if (expected === 'object') return 'an object';
  if (expected === 'number') return 'a number conforming to the specified constraints';
  return `a ${expected}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** The simulator's last middleware: GHL-shaped bodies for its own errors and for body-parser failures. */
export const simulatorErrorHandler: ErrorRequestHandler = (err, _req, res, next) => {
  if (res.headersSent) return next(err);
  if (err instanceof SimHttpError) {
    res.status(err.status).json(err.body);
    return;
  }
  const type = (err as { type?: unknown }).type;
  if (type === 'entity.parse.failed') {
    res.status(400).json({ statusCode: 400, message: 'Unexpected token in JSON body', error: 'Bad Request' });
    return;
  }
  if (type === 'entity.too.large') {
    res.status(413).json({ statusCode: 413, message: 'request entity too large', error: 'Payload Too Large' });
    return;
  }
  res.status(500).json({ statusCode: 500, message: 'Internal server error' });
};
