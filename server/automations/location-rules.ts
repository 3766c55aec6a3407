import type { AutomationRule } from '../../shared/contracts/rules';
import type { VersionedSettings } from '../db/repositories/location-settings-repository';

/**
 * The rules a location runs, in order: its saved list (validated on every read by the settings schema), or the
 * default rules when it never saved any (sync-settings' default). An empty saved list means no rules.
 */
export function rulesOfSettings(versioned: Pick<VersionedSettings, 'settings'>): AutomationRule[] {
  return versioned.settings.rules;
}
