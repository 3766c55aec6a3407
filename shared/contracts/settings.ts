import * as z from 'zod/mini';
import { AutomationRuleSchema, type AutomationRule } from './rules';
import { TASK_DUE_HOUR_DEFAULT } from './tasks';

export { TASK_DUE_HOUR_DEFAULT };

/** A Responder Live list (numeric id in Responder's API). */
export const ResponderListSchema = z.object({ id: z.int(), name: z.string() });
export type ResponderList = z.infer<typeof ResponderListSchema>;

/**
 * Responder Live connection as the panel sees it. Secrets never leave the server: only `hasSecret`.
 * `webhookUrl` is the full URL Responder should call (`$PUBLIC_URL/webhooks/responder/<key>`, SPEC §2).
 */
export const ResponderSettingsSchema = z.object({
  connected: z.boolean(),
  clientId: z.optional(z.string()),
  hasSecret: z.boolean(),
  webhookUrl: z.string(),
  /** The account's lists as last fetched from Responder (empty until connected). */
  lists: z.array(ResponderListSchema),
  /** Lists new GHL contacts are subscribed to, and whose webhooks we register. */
  defaultListIds: z.array(z.int()),
});
export type ResponderSettings = z.infer<typeof ResponderSettingsSchema>;

export const COUNTRY_DEFAULT = 'IL';

/** ISO 3166-1 alpha-2 country code, upper case (`IL`). */
export const CountryCodeSchema = z.string().check(z.regex(/^[A-Z]{2}$/, { error: 'Two capital letters, ISO 3166-1 alpha-2' }));
const KeywordsSchema = z.array(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))).check(z.maxLength(100));
const HourSchema = z.int().check(z.gte(0), z.lte(23));
const TimezoneSchema = z.string().check(z.minLength(1), z.maxLength(64));
const NoteTemplateSchema = z.string().check(z.maxLength(5000));

const CustomFieldIdSchema = z.string().check(z.trim(), z.minLength(1), z.maxLength(128));

export const DefaultsSettingsSchema = z.object({
  /** Used to normalise local phone numbers (libphonenumber-js). */
  country: z._default(CountryCodeSchema, COUNTRY_DEFAULT),
  /** Inbound text containing one of these (case-insensitive) creates a follow-up task. */
  followUpKeywords: z._default(KeywordsSchema, []),
  /** Hour of day (location time zone) a created task is due. */
  taskDueHour: z._default(HourSchema, TASK_DUE_HOUR_DEFAULT),
  /** Template of the note written for a message; placeholders are defined by the automations engine. */
  noteTemplate: z.optional(NoteTemplateSchema),
  /** Overrides the location's GHL time zone for due dates and the panel; IANA name. */
  timezone: z.optional(TimezoneSchema),
  /**
   * GHL custom field id (a text contact field) that receives the last Responder Live message text (seed flow 1's
   * "lastMessage"). Unset: the last message is kept only in the app's database.
   */
  lastMessageFieldId: z.optional(CustomFieldIdSchema),
});
export type DefaultsSettings = z.infer<typeof DefaultsSettingsSchema>;

/** An automation rule: trigger, conditions, ordered actions (shared/contracts/rules.ts, issue 5). */
export const RuleSchema = AutomationRuleSchema;
export type Rule = AutomationRule;

/** `GET /api/settings` → `{data: Settings}` (any role). */
export const SettingsSchema = z.object({
  responder: ResponderSettingsSchema,
  defaults: DefaultsSettingsSchema,
  /** When on, rules run and log what they would do but write nothing to GHL or Responder. */
  dryRun: z.boolean(),
  /** Evaluated in array order. */
  rules: z.array(RuleSchema),
});
export type Settings = z.infer<typeof SettingsSchema>;

/** Responder Live API credentials (Settings → "חיבורים חיצוניים (API)"). Write-only. */
export const ResponderCredentialsSchema = z.object({
  clientId: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  clientSecret: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)),
  userToken: z.string().check(z.trim(), z.minLength(1), z.maxLength(1000)),
});
export type ResponderCredentials = z.infer<typeof ResponderCredentialsSchema>;

const ListIdsSchema = z.array(z.int()).check(z.maxLength(50));

/**
 * `PUT /api/settings` body (admin only, else 403) → `{data: Settings}`. Every part optional; what is sent replaces
 * that part (`null` clears an optional default). `rules` replaces the whole list (order = evaluation order).
 * New credentials are tested before they are stored (422 `validation_failed` when Responder rejects them).
 */
export const UpdateSettingsInputSchema = z.object({
  responder: z.optional(
    z.object({
      credentials: z.optional(ResponderCredentialsSchema),
      defaultListIds: z.optional(ListIdsSchema),
      /** true removes the stored credentials. */
      disconnect: z.optional(z.boolean()),
    }),
  ),
  defaults: z.optional(
    z.object({
      country: z.optional(CountryCodeSchema),
      followUpKeywords: z.optional(KeywordsSchema),
      taskDueHour: z.optional(HourSchema),
      noteTemplate: z.optional(z.nullable(NoteTemplateSchema)),
      timezone: z.optional(z.nullable(TimezoneSchema)),
      lastMessageFieldId: z.optional(z.nullable(CustomFieldIdSchema)),
    }),
  ),
  dryRun: z.optional(z.boolean()),
  rules: z.optional(z.array(RuleSchema).check(z.maxLength(200))),
});
export type UpdateSettingsInput = z.infer<typeof UpdateSettingsInputSchema>;

/**
 * `POST /api/settings/responder/test` (admin): tests the given credentials, or the stored ones when the body is
 * `{}`. A rejected login is a 200 with `ok: false` (it is an answer, not a failure of our API).
 */
export const ResponderTestInputSchema = z.object({ credentials: z.optional(ResponderCredentialsSchema) });
export type ResponderTestInput = z.infer<typeof ResponderTestInputSchema>;

export const ResponderTestResultSchema = z.object({
  ok: z.boolean(),
  /** Responder's own error text when `ok` is false. */
  message: z.optional(z.string()),
  /** The account's lists when `ok` (lets the admin pick lists before saving). */
  lists: z.array(ResponderListSchema),
});
export type ResponderTestResult = z.infer<typeof ResponderTestResultSchema>;

/**
 * `POST /api/settings/responder/register-webhooks` (admin): registers `webhookUrl` on each list (Responder
 * `POST /webhooks`), skipping lists that already have it. Body `{listIds}`; omitted → `defaultListIds`.
 */
export const RegisterWebhooksInputSchema = z.object({
  listIds: z.optional(z.array(z.int()).check(z.minLength(1), z.maxLength(50))),
});
export type RegisterWebhooksInput = z.infer<typeof RegisterWebhooksInputSchema>;

export const WebhookRegistrationSchema = z.object({
  listId: z.int(),
  listName: z.string(),
  outcome: z.enum(['registered', 'already_registered', 'failed']),
  message: z.optional(z.string()),
});
export type WebhookRegistration = z.infer<typeof WebhookRegistrationSchema>;

export const RegisterWebhooksResultSchema = z.object({ results: z.array(WebhookRegistrationSchema) });
export type RegisterWebhooksResult = z.infer<typeof RegisterWebhooksResultSchema>;

/**
 * `POST /api/settings/responder/rotate-key` (admin, body `{}`) → `{data: Settings}` with a new `webhookUrl`.
 * The old key stops working at once; webhooks registered on Responder must be registered again.
 */
export const RotateKeyInputSchema = z.strictObject({});
export type RotateKeyInput = z.infer<typeof RotateKeyInputSchema>;
