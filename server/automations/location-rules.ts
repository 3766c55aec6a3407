import * as z from 'zod/mini';
import { RulesSchema, type AutomationRule } from '../../shared/contracts/rules';
import type { VersionedSettings } from '../db/repositories/location-settings-repository';
import { defaultRules } from './default-rules';

/**
 * The rules a location runs: the default rules until it saves settings of its own, else the saved list (which
 * may be empty: a user who deleted every rule gets none).
 */
export function rulesOfSettings(versioned: Pick<VersionedSettings, 'settings' | 'version'>): AutomationRule[] {
  if (versioned.version === 0) return defaultRules();
  const parsed = z.safeParse(RulesSchema, versioned.settings.rules);
  if (!parsed.success) throw new Error(`Stored rules do not validate: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}
