import { sql } from 'kysely';
import type { Db } from '../database';
import { prepareQuery } from '../prepared-query';
import type { CompaniesTable, CompanyRow, CompanyStatus, LocationRow, LocationStatus } from '../schema';
import type { SecretBox } from '../../security/secret-box';

/** An access/refresh token pair as stored (plain here, sealed in the database). */
export interface TokenSet {
  accessToken: string;
  /** Null for a location token minted from the company token when GHL sends none. */
  refreshToken: string | null;
  expiresAt: number;
  scopes: string | null;
}

export interface CompanyInstallation {
  companyId: string;
  name: string | null;
  status: CompanyStatus;
  statusReason: string | null;
  tokens: TokenSet | null;
  refreshLockUntil: number;
  installedByUserId: string | null;
  installToFutureLocations: boolean;
  installedAt: number;
  updatedAt: number;
}

export interface LocationInstallation {
  locationId: string;
  companyId: string | null;
  name: string | null;
  timezone: string | null;
  status: LocationStatus;
  statusReason: string | null;
  tokenSource: 'location' | 'company';
  tokens: TokenSet | null;
  refreshLockUntil: number;
  installedByUserId: string | null;
  installedAt: number;
  uninstalledAt: number | null;
  updatedAt: number;
}

export type InstallationKind = 'location' | 'company';

/**
 * Why a row without tokens exists: GHL's INSTALL webhook arrived before the OAuth callback (or the callback never
 * came). The row is parked as `needs_reconnect` with this reason until the callback stores tokens.
 */
export const AWAITING_AUTHORIZATION = 'awaiting_authorization';

/** Opened token pairs kept (a few per installed location and company; older ones are dropped first). */
const OPENED_TOKENS_MAX = 1_000;

/** What an uninstall sets on a company or location row: no tokens, no refresh lease, status `uninstalled`. */
const UNINSTALLED = {
  status: 'uninstalled',
  status_reason: null,
  access_token: null,
  refresh_token: null,
  token_expires_at: null,
  refresh_lock_until: 0,
} as const;

/**
 * Companies and locations with their GHL tokens. Tokens are sealed with SecretBox before they reach SQL and
 * opened on the way out, so the database never holds token text. Every write is a single statement (or one
 * transaction) so the OAuth callback and the INSTALL webhook can race in any order.
 */
export class InstallationRepository {
  /**
   * Opened tokens by their sealed form. Every GHL call reads its location's row, and decrypting it each time was a
   * measurable share of the worker's CPU (bench/drain-bench.ts). The row is still read every time, so a token
   * stored by another process is seen at once: any write seals with a fresh nonce, which misses this map.
   */
  private readonly opened = new Map<string, { accessToken: string; refreshToken: string | null }>();

  /** Read before every GHL call (its token): built and compiled once. */
  private readonly locationRow;

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {
    this.locationRow = prepareQuery(db.statements, (p: { locationId: string }) =>
      db.kysely.selectFrom('locations').selectAll().where('location_id', '=', p.locationId),
    );
  }

  async getLocation(locationId: string): Promise<LocationInstallation | undefined> {
    const [row] = (await this.locationRow({ locationId })).rows;
    return row && this.toLocation(row);
  }

  async getCompany(companyId: string): Promise<CompanyInstallation | undefined> {
    const row = await this.db.kysely
      .selectFrom('companies')
      .selectAll()
      .where('company_id', '=', companyId)
      .executeTakeFirst();
    return row && this.toCompany(row);
  }

  async listLocationsByCompany(companyId: string): Promise<LocationInstallation[]> {
    const rows = await this.db.kysely
      .selectFrom('locations')
      .selectAll()
      .where('company_id', '=', companyId)
      .orderBy('location_id')
      .execute();
    return rows.map((r) => this.toLocation(r));
  }

  /** Number of locations per status (every status present, zero when none), for /healthz and metrics. */
  async countLocationsByStatus(): Promise<Record<LocationStatus, number>> {
    const rows = await this.db.kysely
      .selectFrom('locations')
      .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('status')
      .execute();
    const counts: Record<LocationStatus, number> = { active: 0, needs_reconnect: 0, uninstalled: 0 };
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  /** Stores a company's tokens (agency or bulk install): creates the row or re-activates it. */
  async upsertCompanyInstallation(input: {
    companyId: string;
    name?: string | null;
    tokens: TokenSet;
    installedByUserId?: string | null;
    installToFutureLocations?: boolean;
    now: number;
  }): Promise<void> {
    const sealed = this.seal(input.tokens);
    await this.db.kysely
      .insertInto('companies')
      .values({
        company_id: input.companyId,
        name: input.name ?? null,
        status: 'active',
        status_reason: null,
        ...sealed,
        refresh_lock_until: 0,
        installed_by_user_id: input.installedByUserId ?? null,
        install_to_future_locations: input.installToFutureLocations ? 1 : 0,
        installed_at: input.now,
        updated_at: input.now,
      })
      .onConflict((oc) =>
        oc.column('company_id').doUpdateSet((eb) => ({
          ...sealed,
          status: 'active',
          status_reason: null,
          name: sql<string | null>`coalesce(${eb.ref('excluded.name')}, companies.name)`,
          installed_by_user_id: sql<string | null>`coalesce(${eb.ref('excluded.installed_by_user_id')}, companies.installed_by_user_id)`,
          install_to_future_locations: eb.ref('excluded.install_to_future_locations'),
          installed_at: sql<number>`case when companies.status = 'uninstalled' then ${eb.ref('excluded.installed_at')} else companies.installed_at end`,
          updated_at: input.now,
        })),
      )
      .execute();
  }

  /**
   * Stores a location's tokens (from the callback, or minted from the company token): creates the row or
   * re-activates it. A location coming back from `uninstalled` gets a new `installed_at`.
   */
  async upsertLocationInstallation(input: {
    locationId: string;
    companyId: string | null;
    tokenSource: 'location' | 'company';
    tokens: TokenSet;
    name?: string | null;
    timezone?: string | null;
    installedByUserId?: string | null;
    now: number;
  }): Promise<void> {
    const sealed = this.seal(input.tokens);
    await this.db.kysely
      .insertInto('locations')
      .values({
        location_id: input.locationId,
        company_id: input.companyId,
        name: input.name ?? null,
        timezone: input.timezone ?? null,
        status: 'active',
        status_reason: null,
        token_source: input.tokenSource,
        ...sealed,
        refresh_lock_until: 0,
        installed_by_user_id: input.installedByUserId ?? null,
        installed_at: input.now,
        uninstalled_at: null,
        updated_at: input.now,
      })
      .onConflict((oc) =>
        oc.column('location_id').doUpdateSet((eb) => ({
          ...sealed,
          token_source: input.tokenSource,
          status: 'active',
          status_reason: null,
          uninstalled_at: null,
          company_id: sql<string | null>`coalesce(${eb.ref('excluded.company_id')}, locations.company_id)`,
          name: sql<string | null>`coalesce(${eb.ref('excluded.name')}, locations.name)`,
          timezone: sql<string | null>`coalesce(${eb.ref('excluded.timezone')}, locations.timezone)`,
          installed_by_user_id: sql<string | null>`coalesce(${eb.ref('excluded.installed_by_user_id')}, locations.installed_by_user_id)`,
          installed_at: sql<number>`case when locations.status = 'uninstalled' then ${eb.ref('excluded.installed_at')} else locations.installed_at end`,
          updated_at: input.now,
        })),
      )
      .execute();
  }

  /**
   * Records an INSTALL webhook for a location we hold no token for yet. A new or `uninstalled` row becomes
   * `needs_reconnect`/AWAITING_AUTHORIZATION; an existing installed row is left alone (the callback won the race).
   * Returns true when the row was created or changed.
   */
  async recordPendingLocationInstall(input: {
    locationId: string;
    companyId: string | null;
    installedByUserId?: string | null;
    now: number;
  }): Promise<boolean> {
    const result = await this.db.kysely
      .insertInto('locations')
      .values({
        location_id: input.locationId,
        company_id: input.companyId,
        name: null,
        timezone: null,
        status: 'needs_reconnect',
        status_reason: AWAITING_AUTHORIZATION,
        token_source: 'location',
        access_token: null,
        refresh_token: null,
        token_expires_at: null,
        scopes: null,
        refresh_lock_until: 0,
        installed_by_user_id: input.installedByUserId ?? null,
        installed_at: input.now,
        uninstalled_at: null,
        updated_at: input.now,
      })
      .onConflict((oc) =>
        oc
          .column('location_id')
          .doUpdateSet((eb) => ({
            status: 'needs_reconnect',
            status_reason: AWAITING_AUTHORIZATION,
            uninstalled_at: null,
            installed_at: eb.ref('excluded.installed_at'),
            company_id: sql<string | null>`coalesce(${eb.ref('excluded.company_id')}, locations.company_id)`,
            installed_by_user_id: sql<string | null>`coalesce(${eb.ref('excluded.installed_by_user_id')}, locations.installed_by_user_id)`,
            updated_at: input.now,
          }))
          .where('locations.status', '=', 'uninstalled'),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Same as recordPendingLocationInstall for an agency-level INSTALL (companyId only). */
  async recordPendingCompanyInstall(input: {
    companyId: string;
    name?: string | null;
    installedByUserId?: string | null;
    now: number;
  }): Promise<boolean> {
    const result = await this.db.kysely
      .insertInto('companies')
      .values({
        company_id: input.companyId,
        name: input.name ?? null,
        status: 'needs_reconnect',
        status_reason: AWAITING_AUTHORIZATION,
        access_token: null,
        refresh_token: null,
        token_expires_at: null,
        scopes: null,
        refresh_lock_until: 0,
        installed_by_user_id: input.installedByUserId ?? null,
        install_to_future_locations: 0,
        installed_at: input.now,
        updated_at: input.now,
      })
      .onConflict((oc) =>
        oc
          .column('company_id')
          .doUpdateSet((eb) => ({
            status: 'needs_reconnect',
            status_reason: AWAITING_AUTHORIZATION,
            installed_at: eb.ref('excluded.installed_at'),
            name: sql<string | null>`coalesce(${eb.ref('excluded.name')}, companies.name)`,
            updated_at: input.now,
          }))
          .where('companies.status', '=', 'uninstalled'),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Fills in the name/timezone/company of a location without touching its tokens or status. */
  async updateLocationDetails(
    locationId: string,
    details: { name?: string | null; timezone?: string | null; companyId?: string | null },
    now: number,
  ): Promise<void> {
    const set: { name?: string; timezone?: string; company_id?: string; updated_at: number } = { updated_at: now };
    if (details.name) set.name = details.name;
    if (details.timezone) set.timezone = details.timezone;
    if (details.companyId) set.company_id = details.companyId;
    await this.db.kysely.updateTable('locations').set(set).where('location_id', '=', locationId).execute();
  }

  /** Sets the status (and reason) of a location or company, releasing any refresh lease it holds. */
  async markStatus(
    kind: InstallationKind,
    id: string,
    status: LocationStatus,
    reason: string | null,
    now: number,
  ): Promise<void> {
    if (kind === 'location') {
      await this.db.kysely
        .updateTable('locations')
        .set({ status, status_reason: reason, refresh_lock_until: 0, updated_at: now })
        .where('location_id', '=', id)
        .execute();
    } else {
      await this.db.kysely
        .updateTable('companies')
        .set({ status, status_reason: reason, refresh_lock_until: 0, updated_at: now })
        .where('company_id', '=', id)
        .execute();
    }
  }

  /** Removes the stored tokens of a location or company (keeps the row and its history). */
  async clearTokens(kind: InstallationKind, id: string, now: number): Promise<void> {
    const set = { access_token: null, refresh_token: null, token_expires_at: null, refresh_lock_until: 0, updated_at: now };
    if (kind === 'location') {
      await this.db.kysely.updateTable('locations').set(set).where('location_id', '=', id).execute();
    } else {
      await this.db.kysely.updateTable('companies').set(set).where('company_id', '=', id).execute();
    }
  }

  /**
   * UNINSTALL of one location: tokens deleted, status `uninstalled`. `receivedBefore` guards against a late
   * UNINSTALL undoing a reinstall that happened after it was received. Returns true when the row changed.
   */
  async uninstallLocation(locationId: string, now: number, receivedBefore?: number): Promise<boolean> {
    let query = this.db.kysely
      .updateTable('locations')
      .set({ ...UNINSTALLED, uninstalled_at: now, updated_at: now })
      .where('location_id', '=', locationId);
    if (receivedBefore !== undefined) query = query.where('installed_at', '<=', receivedBefore);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * UNINSTALL of an agency: the company and every location it installed lose their tokens and become
   * `uninstalled`, in one transaction. Returns the ids of the locations that changed.
   */
  async uninstallCompany(companyId: string, now: number, receivedBefore?: number): Promise<string[]> {
    return this.db.kysely.transaction().execute(async (trx) => {
      let company = trx
        .updateTable('companies')
        .set({ ...UNINSTALLED, updated_at: now })
        .where('company_id', '=', companyId);
      if (receivedBefore !== undefined) company = company.where('installed_at', '<=', receivedBefore);
      await company.execute();
      let locations = trx
        .updateTable('locations')
        .set({ ...UNINSTALLED, uninstalled_at: now, updated_at: now })
        .where('company_id', '=', companyId)
        .where('status', '<>', 'uninstalled');
      if (receivedBefore !== undefined) locations = locations.where('installed_at', '<=', receivedBefore);
      const changed = await locations.returning('location_id').execute();
      return changed.map((r) => r.location_id);
    });
  }

  /**
   * Takes the refresh lease of a location or company when nobody holds it (or it lapsed). One conditional
   * UPDATE, so exactly one caller wins across processes on SQLite and PostgreSQL, and no transaction stays open
   * during the HTTP call to GHL.
   */
  async tryAcquireRefreshLease(kind: InstallationKind, id: string, leaseMs: number, now: number): Promise<boolean> {
    const result =
      kind === 'location'
        ? await this.db.kysely
            .updateTable('locations')
            .set({ refresh_lock_until: now + leaseMs })
            .where('location_id', '=', id)
            .where('refresh_lock_until', '<', now)
            .executeTakeFirst()
        : await this.db.kysely
            .updateTable('companies')
            .set({ refresh_lock_until: now + leaseMs })
            .where('company_id', '=', id)
            .where('refresh_lock_until', '<', now)
            .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Gives the lease back without storing anything (the refresh failed for a passing reason). */
  async releaseRefreshLease(kind: InstallationKind, id: string): Promise<void> {
    if (kind === 'location') {
      await this.db.kysely.updateTable('locations').set({ refresh_lock_until: 0 }).where('location_id', '=', id).execute();
    } else {
      await this.db.kysely.updateTable('companies').set({ refresh_lock_until: 0 }).where('company_id', '=', id).execute();
    }
  }

  /**
   * Stores refreshed tokens and releases the lease in the same statement, so no one can take the lease and
   * read the old (already used) refresh token. An uninstalled row is left without tokens. For a location,
   * `tokenSource` records where the new token came from. Returns true when stored.
   */
  async saveRefreshedTokens(
    kind: InstallationKind,
    id: string,
    tokens: TokenSet,
    now: number,
    tokenSource?: 'location' | 'company',
  ): Promise<boolean> {
    const sealed = this.seal(tokens);
    const result =
      kind === 'location'
        ? await this.db.kysely
            .updateTable('locations')
            .set({ ...sealed, refresh_lock_until: 0, updated_at: now, ...(tokenSource ? { token_source: tokenSource } : {}) })
            .where('location_id', '=', id)
            .where('status', '<>', 'uninstalled')
            .executeTakeFirst()
        : await this.db.kysely
            .updateTable('companies')
            .set({ ...sealed, refresh_lock_until: 0, updated_at: now })
            .where('company_id', '=', id)
            .where('status', '<>', 'uninstalled')
            .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  private seal(tokens: TokenSet): Pick<CompaniesTable, 'access_token' | 'refresh_token' | 'token_expires_at' | 'scopes'> {
    return {
      access_token: this.box.encrypt(tokens.accessToken),
      refresh_token: this.box.encryptNullable(tokens.refreshToken),
      token_expires_at: tokens.expiresAt,
      scopes: tokens.scopes,
    };
  }

  private open(row: { access_token: string | null; refresh_token: string | null; token_expires_at: number | null; scopes: string | null }): TokenSet | null {
    if (row.access_token === null) return null;
    const sealed = `${row.access_token}\n${row.refresh_token ?? ''}`;
    let plain = this.opened.get(sealed);
    if (!plain) {
      plain = { accessToken: this.box.decrypt(row.access_token), refreshToken: this.box.decryptNullable(row.refresh_token) };
      if (this.opened.size >= OPENED_TOKENS_MAX) this.opened.delete(this.opened.keys().next().value!);
      this.opened.set(sealed, plain);
    }
    return { ...plain, expiresAt: row.token_expires_at ?? 0, scopes: row.scopes };
  }

  private toLocation(row: LocationRow): LocationInstallation {
    return {
      locationId: row.location_id,
      companyId: row.company_id,
      name: row.name,
      timezone: row.timezone,
      status: row.status,
      statusReason: row.status_reason,
      tokenSource: row.token_source,
      tokens: this.open(row),
      refreshLockUntil: row.refresh_lock_until,
      installedByUserId: row.installed_by_user_id,
      installedAt: row.installed_at,
      uninstalledAt: row.uninstalled_at,
      updatedAt: row.updated_at,
    };
  }

  private toCompany(row: CompanyRow): CompanyInstallation {
    return {
      companyId: row.company_id,
      name: row.name,
      status: row.status,
      statusReason: row.status_reason,
      tokens: this.open(row),
      refreshLockUntil: row.refresh_lock_until,
      installedByUserId: row.installed_by_user_id,
      installToFutureLocations: row.install_to_future_locations === 1,
      installedAt: row.installed_at,
      updatedAt: row.updated_at,
    };
  }
}
