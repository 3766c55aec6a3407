import { z } from 'zod';

/**
 * Responder Live API v2 response shapes, loose on purpose: v2 has no published schema, so these follow what the
 * official WordPress plugin and other public clients read (responder-live.md §1.2–1.3). Unknown fields pass.
 */

const numericId = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);
const flag = z.union([z.boolean(), z.number(), z.string()]).transform((v) => v === true || v === 1 || v === '1' || v === 'true');

/** POST /oauth/token: the server answers `token` (a JWT) and `expire` (epoch seconds), though the article says access_token (§1.2). */
export const tokenResponseSchema = z.looseObject({
  token: z.string().min(1).optional(),
  access_token: z.string().min(1).optional(),
  expire: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
  expires_in: z.number().optional(),
  account_id: z.union([z.number(), z.string()]).optional(),
});

/** GET /lists: `is_dynamic` in the official plugin, `dynamic_status` in Woosponder; integrations skip dynamic lists. */
export const listSchema = z.looseObject({
  id: numericId,
  name: z.string().catch(''),
  is_dynamic: flag.optional(),
  dynamic_status: flag.optional(),
});
export const listsResponseSchema = z.looseObject({ data: z.array(listSchema) });

/** GET /lists/{id}/fields; `type_id` 1 text … 8 bool (FieldsFormatter::FIELDS_MAP). */
export const fieldSchema = z.looseObject({
  id: z.union([z.number(), z.string()]),
  name: z.string().catch(''),
  type_id: z.union([z.number(), z.string().transform(Number)]).optional(),
  options: z.array(z.looseObject({ id: z.union([z.number(), z.string()]), name: z.string().catch('') })).nullish(),
  default: z.unknown().optional(),
});
export const listFieldsResponseSchema = z.looseObject({
  personal_fields: z.array(fieldSchema).nullish(),
  all_lists_personal_fields: z.array(fieldSchema).nullish(),
});

export const subscriberSchema = z.looseObject({
  id: numericId,
  email: z.string().nullish(),
  phone: z.union([z.string(), z.number().transform(String)]).nullish(),
  first: z.string().nullish(),
  last: z.string().nullish(),
  name: z.string().nullish(),
  personal_fields: z.unknown().optional(),
});
/** Search answers `{data:[…]}` in the gem; a bare array is accepted too. */
export const subscribersResponseSchema = z.union([
  z.looseObject({ data: z.array(subscriberSchema) }).transform((r) => r.data),
  z.array(subscriberSchema),
]);

/** POST /subscribers: `{status:true, createdId}`, `{duplicate:true, createdId}` or `{status:false, error}` (§1.3). */
export const createSubscriberResponseSchema = z.looseObject({
  status: z.boolean().optional(),
  duplicate: z.boolean().optional(),
  createdId: numericId.optional(),
  error: z.unknown().optional(),
});

export const tagsResponseSchema = z.looseObject({
  data: z.array(z.looseObject({ id: numericId, name: z.string().catch('') })),
});

/** `{createdId}` as POST /tags/subscribers and POST /webhooks answer; `id` or `data.id` tolerated. */
export const createdIdResponseSchema = z
  .looseObject({
    status: z.boolean().optional(),
    createdId: numericId.optional(),
    id: numericId.optional(),
    data: z.looseObject({ id: numericId.optional() }).optional(),
    error: z.unknown().optional(),
  })
  .transform((r) => ({ id: r.createdId ?? r.id ?? r.data?.id, status: r.status, error: r.error }));

export const webhookSchema = z.looseObject({
  id: numericId,
  list_id: numericId.optional(),
  url: z.string(),
  name: z.string().nullish(),
  events: z.array(z.union([z.number(), z.string().transform(Number)])).nullish(),
});
export const webhooksResponseSchema = z.union([
  z.looseObject({ data: z.array(webhookSchema) }).transform((r) => r.data),
  z.array(webhookSchema),
]);
