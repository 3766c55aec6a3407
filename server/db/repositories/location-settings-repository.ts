import { AppError, validationFailed } from '../../errors';
import type { CountryCode } from '../../integrations/responder/responder-phone';
import {
  LocationSettingsSchema,
  defaultLocationSettings,
  type LocationSettings,
  type LocationSettingsInput,
} from '../../sync/sync-settings';
import { RecentAnswers } from '../../recent-answers';
import { TtlCache } from '../../ttl-cache';
import type { Db } from '../database';
import { prepareQuery } from '../prepared-query';

/** How long a process trusts a location's default country it has read (see defaultCountry). */
export const DEFAULT_COUNTRY_CACHE_MS = 5_000;

export interface VersionedSettings {
  settings: LocationSettings;
  /** 0 when the location never saved settings (defaults). */
  version: number;
  updatedBy: string | null;
  updatedAt: number | null;
}

function parseStored(locationId: string, json: string): LocationSettings {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new AppError(500, 'settings_corrupt', `Stored settings of ${locationId} are not JSON`, { cause });
  }
  const parsed = LocationSettingsSchema.safeParse(value);
  // Never fall back to defaults silently: that would drop the user's rules on the next save.
  if (!parsed.success) {
    throw new AppError(500, 'settings_corrupt', `Stored settings of ${locationId} do not validate`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** Frozen all the way down: a cached value handed to many callers must not be changed by one of them. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Versioned, zod-validated settings per location (defaults applied on every read). */
export class LocationSettingsRepository {
  private readonly countries = new TtlCache<CountryCode>(DEFAULT_COUNTRY_CACHE_MS, 10_000);
  /**
   * Parsed settings by location and version: every event reads its location's settings, and validating all its
   * rules again each time cost more than the rest of the read. Every save makes a new version (compare-and-set
   * below), so a cached entry is never stale. Frozen, since all readers share it.
   */
  private readonly parsed = new RecentAnswers<LocationSettings>(1_000, 200);

  /** Read for every drained event: built and compiled once. */
  private readonly row;

  constructor(private readonly db: Db) {
    this.row = prepareQuery(db.statements, (p: { locationId: string }) =>
      db.kysely.selectFrom('location_settings').selectAll().where('location_id', '=', p.locationId),
    );
  }

  /**
   * The country local phone numbers are read in. Every Responder webhook asks, so the answer is remembered for
   * DEFAULT_COUNTRY_CACHE_MS: a change saved through this process applies at once, through another within that time.
   */
  async defaultCountry(locationId: string): Promise<CountryCode> {
    const cached = this.countries.get(locationId);
    if (cached !== undefined) return cached;
    const country = ((await this.get(locationId)).defaults.country ?? 'IL') as CountryCode;
    this.countries.set(locationId, country);
    return country;
  }

  /** The location's settings with defaults filled in (defaults only when it never saved any). */
  async get(locationId: string): Promise<LocationSettings> {
    return (await this.getVersioned(locationId)).settings;
  }

  async getVersioned(locationId: string): Promise<VersionedSettings> {
    const [row] = (await this.row({ locationId })).rows;
    if (!row) return { settings: defaultLocationSettings(), version: 0, updatedBy: null, updatedAt: null };
    return {
      settings: this.parsed.get(`${row.version}:${locationId}`, () => deepFreeze(parseStored(locationId, row.settings))),
      version: row.version,
      updatedBy: row.updated_by,
      updatedAt: row.updated_at,
    };
  }

  /**
   * Validates and stores the settings as version + 1. With `expectedVersion`, a concurrent save in between is a
   * 409 `conflict` instead of a silent overwrite (two admins editing rules at once).
   */
  async save(
    locationId: string,
    input: LocationSettingsInput,
    userId: string | null,
    options: { expectedVersion?: number; now?: number } = {},
  ): Promise<VersionedSettings> {
    const parsed = LocationSettingsSchema.safeParse(input);
    if (!parsed.success) {
      throw validationFailed('Settings are not valid', { issues: parsed.error.issues });
    }
    const now = options.now ?? Date.now();
    const json = JSON.stringify(parsed.data);
    const current = await this.db.kysely
      .selectFrom('location_settings')
      .select('version')
      .where('location_id', '=', locationId)
      .executeTakeFirst();
    const currentVersion = current?.version ?? 0;
    if (options.expectedVersion !== undefined && options.expectedVersion !== currentVersion) {
      throw new AppError(409, 'conflict', 'Settings were changed by someone else; reload and try again');
    }
    const version = currentVersion + 1;
    if (!current) {
      const res = await this.db.kysely
        .insertInto('location_settings')
        .values({ location_id: locationId, version, settings: json, updated_by: userId, updated_at: now })
        .onConflict((oc) => oc.column('location_id').doNothing())
        .executeTakeFirst();
      if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) return this.retrySave(locationId, input, userId, options);
    } else {
      // Compare-and-set on the version: the read above and this write are not one transaction.
      const res = await this.db.kysely
        .updateTable('location_settings')
        .set({ version, settings: json, updated_by: userId, updated_at: now })
        .where('location_id', '=', locationId)
        .where('version', '=', currentVersion)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return this.retrySave(locationId, input, userId, options);
    }
    this.countries.delete(locationId);
    return { settings: parsed.data, version, updatedBy: userId, updatedAt: now };
  }

  private retrySave(
    locationId: string,
    input: LocationSettingsInput,
    userId: string | null,
    options: { expectedVersion?: number; now?: number },
  ): Promise<VersionedSettings> {
    if (options.expectedVersion !== undefined) {
      throw new AppError(409, 'conflict', 'Settings were changed by someone else; reload and try again');
    }
    return this.save(locationId, input, userId, options);
  }
}
