import * as z from 'zod/mini';
import { DefaultsSettingsSchema, RuleSchema } from '../../shared/contracts/settings';
import { defaultRules } from '../automations/default-rules';

/**
 * The per-location settings the sync engine reads, as stored in `location_settings.settings`. Built from the
 * panel's contract (shared/contracts/settings.ts, zod/mini so the client bundle stays small) so one schema
 * validates what the panel saves and what the worker reads; the contract's `responder` part is not stored here
 * (it comes from the connection row).
 */
export const SyncDefaultsSchema = DefaultsSettingsSchema;
export type SyncDefaults = z.infer<typeof SyncDefaultsSchema>;

// `prefault` parses the fallback, so an absent `defaults` still gets country/taskDueHour filled in.
export const LocationSettingsSchema = z.object({
  defaults: z.prefault(SyncDefaultsSchema, {}),
  dryRun: z._default(z.boolean(), false),
  /** Evaluated in order; a location that never saved rules runs the seed flows (automations/default-rules.ts). */
  rules: z._default(z.array(RuleSchema), defaultRules),
});
export type LocationSettings = z.infer<typeof LocationSettingsSchema>;
export type LocationSettingsInput = z.input<typeof LocationSettingsSchema>;

/** The settings of a location that never saved any. */
export function defaultLocationSettings(): LocationSettings {
  return LocationSettingsSchema.parse({});
}

/** Israel's zone: the product's home market and Responder's implied zone (responder-live.md §4.3). */
export const DEFAULT_TIMEZONE = 'Asia/Jerusalem';
