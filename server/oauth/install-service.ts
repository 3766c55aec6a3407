import type { InstallationRepository, TokenSet } from '../db/repositories/installation-repository';
import { UpstreamError } from '../errors';
import { ghlErrorMessage } from '../integrations/ghl/ghl-errors';
import type { GhlOAuthClient } from '../integrations/ghl/ghl-oauth-client';
import type { GhlTokenResponse } from '../integrations/ghl/ghl-schemas';
import type { Logger } from '../logger';
import type { TokenService } from './token-service';

export interface ConnectedLocation {
  locationId: string;
  name: string | null;
  /** Why no token could be minted for it (shown on the callback page); undefined when connected. */
  error?: string;
}

export interface InstallOutcome {
  userType: 'Location' | 'Company';
  companyId: string | null;
  locations: ConnectedLocation[];
}

export interface InstallServiceOptions {
  installations: InstallationRepository;
  tokens: Pick<TokenService, 'mintLocationToken' | 'getCompanyAccessToken'>;
  oauth: Pick<GhlOAuthClient, 'installedLocations'>;
  /** The marketplace app id (client id before the first `-`), for /oauth/installedLocations. */
  appId: string;
  logger: Logger;
  now?: () => number;
}

/** Location tokens minted at once for a bulk install: well under GHL's 100 requests / 10 s per company. */
const MINT_CONCURRENCY = 5;
const INSTALLED_LOCATIONS_PAGE = 100;

/**
 * Turns GHL tokens into stored installations. Shared by the OAuth callback and the INSTALL webhook so that
 * both, in either order and any number of times, end in the same single installation (every write is an
 * upsert keyed by the GHL id).
 */
export class InstallService {
  private readonly now: () => number;

  constructor(private readonly opts: InstallServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * Stores what the code exchange returned: a Location token → that location; a Company token (agency or bulk
   * install) → the company, then a minted token for every approved location (ghl-platform.md §1.3).
   */
  async storeExchangedToken(token: GhlTokenResponse): Promise<InstallOutcome> {
    const tokens = this.toTokenSet(token);
    if (token.userType === 'Location') {
      if (!token.locationId) {
        throw new UpstreamError('ghl', 'permanent', 'GHL returned a Location token without a locationId');
      }
      await this.opts.installations.upsertLocationInstallation({
        locationId: token.locationId,
        companyId: token.companyId ?? null,
        tokenSource: 'location',
        tokens,
        installedByUserId: token.userId ?? null,
        now: this.now(),
      });
      const stored = await this.opts.installations.getLocation(token.locationId);
      return {
        userType: 'Location',
        companyId: token.companyId ?? null,
        locations: [{ locationId: token.locationId, name: stored?.name ?? null }],
      };
    }
    if (!token.companyId) throw new UpstreamError('ghl', 'permanent', 'GHL returned a Company token without a companyId');
    const extra = token as { installToFutureLocations?: unknown };
    await this.opts.installations.upsertCompanyInstallation({
      companyId: token.companyId,
      tokens,
      installedByUserId: token.userId ?? null,
      installToFutureLocations: extra.installToFutureLocations === true,
      now: this.now(),
    });
    const locations = await this.connectCompanyLocations(token.companyId, token.approvedLocations);
    return { userType: 'Company', companyId: token.companyId, locations };
  }

  /**
   * Mints and stores a token for each of the company's locations: `approved` when GHL listed them, else the
   * ones /oauth/installedLocations reports as installed. A location that fails is reported, not stored; its
   * INSTALL webhook or a later callback retries it.
   */
  async connectCompanyLocations(companyId: string, approved: string[] | undefined): Promise<ConnectedLocation[]> {
    const targets: { locationId: string; name: string | null }[] = approved?.length
      ? [...new Set(approved)].map((locationId) => ({ locationId, name: null }))
      : await this.installedLocations(companyId);
    const results: ConnectedLocation[] = [];
    for (let i = 0; i < targets.length; i += MINT_CONCURRENCY) {
      const batch = targets.slice(i, i + MINT_CONCURRENCY);
      results.push(
        ...(await Promise.all(
          batch.map(async (t) => {
            try {
              await this.connectLocationFromCompany(companyId, t.locationId, { name: t.name });
              return t;
            } catch (err) {
              if (!(err instanceof UpstreamError)) throw err;
              this.opts.logger.warn({ companyId, locationId: t.locationId, err: err.message }, 'could not mint a location token');
              return { ...t, error: describeUpstream(err) };
            }
          }),
        )),
      );
    }
    return results;
  }

  /** Mints a Location token from the stored company token and stores it as that location's installation. */
  async connectLocationFromCompany(
    companyId: string,
    locationId: string,
    extra: { name?: string | null; installedByUserId?: string | null } = {},
  ): Promise<void> {
    const minted = await this.opts.tokens.mintLocationToken(companyId, locationId);
    await this.opts.installations.upsertLocationInstallation({
      locationId,
      companyId,
      tokenSource: 'company',
      tokens: this.toTokenSet(minted),
      name: extra.name ?? null,
      installedByUserId: extra.installedByUserId ?? minted.userId ?? null,
      now: this.now(),
    });
  }

  private async installedLocations(companyId: string): Promise<{ locationId: string; name: string | null }[]> {
    const companyAccessToken = await this.opts.tokens.getCompanyAccessToken(companyId);
    const out: { locationId: string; name: string | null }[] = [];
    for (let skip = 0; ; skip += INSTALLED_LOCATIONS_PAGE) {
      const page = await this.opts.oauth.installedLocations({
        companyAccessToken,
        companyId,
        appId: this.opts.appId,
        limit: INSTALLED_LOCATIONS_PAGE,
        skip,
      });
      for (const l of page.locations) if (l.isInstalled === true) out.push({ locationId: l._id, name: l.name ?? null });
      const total = page.count ?? 0;
      if (page.locations.length < INSTALLED_LOCATIONS_PAGE || skip + page.locations.length >= total) break;
    }
    return out;
  }

  private toTokenSet(res: GhlTokenResponse): TokenSet {
    return {
      accessToken: res.access_token,
      refreshToken: res.refresh_token ?? null,
      expiresAt: this.now() + res.expires_in * 1000,
      scopes: res.scope || null,
    };
  }
}

/** GHL's own words for a failure, for pages and summaries (never a token: GHL does not echo them). */
export function describeUpstream(err: UpstreamError): string {
  return ghlErrorMessage(err.body) ?? err.message;
}
