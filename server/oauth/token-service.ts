import { setTimeout as sleep } from 'node:timers/promises';
import type {
  CompanyInstallation,
  InstallationKind,
  InstallationRepository,
  LocationInstallation,
  TokenSet,
} from '../db/repositories/installation-repository';
import { UpstreamError } from '../errors';
import type { GhlTokenProvider } from '../integrations/ghl/ghl-client';
import type { GhlOAuthClient } from '../integrations/ghl/ghl-oauth-client';
import { isPermanentGrantFailure } from '../integrations/ghl/ghl-oauth-client';
import type { GhlTokenResponse } from '../integrations/ghl/ghl-schemas';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { TtlCache } from '../ttl-cache';

export interface TokenServiceOptions {
  installations: InstallationRepository;
  oauth: Pick<GhlOAuthClient, 'refresh' | 'locationToken'>;
  logger: Logger;
  metrics?: Pick<Metrics, 'tokenRefreshes'>;
  now?: () => number;
  /** Refresh when the token expires within this margin. */
  refreshMarginMs?: number;
  /**
   * How long a refresh lease is held. Kept under GHL's 30 s grace window for a reused refresh token
   * (ghl-platform.md §1.4), so a second process that takes a lapsed lease of a crashed winner still gets
   * the same answer from GHL instead of a dead grant. Must exceed the OAuth client's HTTP timeout.
   */
  leaseMs?: number;
  /** How long a caller waits for another process's refresh before giving up (transient error). */
  waitTimeoutMs?: number;
  pollMs?: number;
  /** How long an `isLocationParked` answer of "active" is trusted (default ACTIVE_STATUS_CACHE_MS). */
  activeStatusCacheMs?: number;
}

type Installation = LocationInstallation | CompanyInstallation;

const DEFAULT_MARGIN_MS = 5 * 60 * 1000;
const DEFAULT_LEASE_MS = 25_000;
/**
 * The worker asks whether a location is parked before every event; an active answer is trusted this long. A
 * location parked meanwhile (here or in another process) is still safe: its event fails on the token with
 * `needs_reconnect` and is parked then. A parked answer is never kept, so a reconnect takes effect at once.
 */
export const ACTIVE_STATUS_CACHE_MS = 1_000;

/**
 * Hands out valid GHL access tokens per location (GhlTokenProvider). A refresh runs once at a time per
 * location (and per company) across every process: an in-process single-flight map in front of a lease row
 * in the database (installation-repository `tryAcquireRefreshLease`); others wait for the stored result.
 * Refresh tokens are single-use at GHL, so a used one is never sent again. A grant that is gone for good
 * parks the location as `needs_reconnect`, after which calls fail fast without contacting GHL.
 */
export class TokenService implements GhlTokenProvider {
  private readonly flights = new Map<string, Promise<string>>();
  private readonly active: TtlCache<true>;
  private readonly now: () => number;
  private readonly marginMs: number;
  private readonly leaseMs: number;
  private readonly waitTimeoutMs: number;
  private readonly pollMs: number;

  constructor(private readonly opts: TokenServiceOptions) {
    this.now = opts.now ?? Date.now;
    this.marginMs = opts.refreshMarginMs ?? DEFAULT_MARGIN_MS;
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.waitTimeoutMs = opts.waitTimeoutMs ?? this.leaseMs + 5_000;
    this.pollMs = opts.pollMs ?? 50;
    this.active = new TtlCache(opts.activeStatusCacheMs ?? ACTIVE_STATUS_CACHE_MS, 10_000, this.now);
  }

  /** A token valid for at least the refresh margin; refreshed (or minted from the company token) when not. */
  async getAccessToken(locationId: string): Promise<string> {
    const location = await this.load('location', locationId);
    if (this.usable(location.tokens, null)) return location.tokens!.accessToken;
    return this.singleFlight('location', locationId, location.tokens?.accessToken ?? null);
  }

  /** After GHL answered 401 to `failedToken`: the stored token if it is already a newer one, else a refresh. */
  async refreshAfterUnauthorized(locationId: string, failedToken: string): Promise<string> {
    const location = await this.load('location', locationId);
    if (this.usable(location.tokens, failedToken)) return location.tokens!.accessToken;
    return this.singleFlight('location', locationId, failedToken);
  }

  /** The company (agency) token, refreshed the same way as a location's. */
  async getCompanyAccessToken(companyId: string): Promise<string> {
    const company = await this.load('company', companyId);
    if (this.usable(company.tokens, null)) return company.tokens!.accessToken;
    return this.singleFlight('company', companyId, company.tokens?.accessToken ?? null);
  }

  /**
   * True when work for the location must wait for the user (not installed, uninstalled or needs_reconnect):
   * the worker parks such events instead of retrying them.
   */
  async isLocationParked(locationId: string): Promise<boolean> {
    if (this.active.get(locationId)) return false;
    const location = await this.opts.installations.getLocation(locationId);
    const parked = !location || location.status !== 'active';
    if (!parked) this.active.set(locationId, true);
    return parked;
  }

  /**
   * A Location token minted from the stored company token (POST /oauth/locationToken), retried once with a
   * refreshed company token when GHL answers 401. Does not store it: the caller decides where it goes.
   */
  async mintLocationToken(companyId: string, locationId: string): Promise<GhlTokenResponse> {
    let companyToken = await this.getCompanyAccessToken(companyId);
    try {
      return await this.opts.oauth.locationToken({ companyAccessToken: companyToken, companyId, locationId });
    } catch (err) {
      if (!(err instanceof UpstreamError) || err.kind !== 'auth') throw err;
      companyToken = await this.singleFlight('company', companyId, companyToken);
      return this.opts.oauth.locationToken({ companyAccessToken: companyToken, companyId, locationId });
    }
  }

  /** Joins the refresh in flight in this process, or starts one. A joined result equal to `stale` is not enough. */
  private async singleFlight(kind: InstallationKind, id: string, stale: string | null): Promise<string> {
    const key = `${kind}:${id}`;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const inFlight = this.flights.get(key);
      if (inFlight) {
        const token = await inFlight;
        if (token !== stale) return token;
        continue;
      }
      const flight = this.refreshOnce(kind, id, stale).finally(() => this.flights.delete(key));
      this.flights.set(key, flight);
      return flight;
    }
    return this.refreshOnce(kind, id, stale);
  }

  /** Wins the database lease and refreshes, or waits until the winner (any process) stored a new token. */
  private async refreshOnce(kind: InstallationKind, id: string, stale: string | null): Promise<string> {
    const deadline = this.now() + this.waitTimeoutMs;
    for (;;) {
      const current = await this.load(kind, id);
      if (this.usable(current.tokens, stale)) return current.tokens!.accessToken;
      if (await this.opts.installations.tryAcquireRefreshLease(kind, id, this.leaseMs, this.now())) {
        // Re-read under the lease: a winner elsewhere may have stored and released between our read and our win.
        const leased = await this.load(kind, id).catch(async (err: unknown) => {
          await this.opts.installations.releaseRefreshLease(kind, id);
          throw err;
        });
        if (this.usable(leased.tokens, stale)) {
          await this.opts.installations.releaseRefreshLease(kind, id);
          return leased.tokens!.accessToken;
        }
        return this.refreshUnderLease(kind, leased);
      }
      if (this.now() >= deadline) {
        throw new UpstreamError('ghl', 'transient', `Timed out waiting for the GHL token refresh of ${kind} ${id}`, {
          retryAfterMs: this.pollMs * 20,
        });
      }
      await sleep(this.pollMs);
    }
  }

  private async refreshUnderLease(kind: InstallationKind, inst: Installation): Promise<string> {
    const id = idOf(inst);
    const log = this.opts.logger.child({ [kind === 'location' ? 'locationId' : 'companyId']: id });
    try {
      const { tokens, source } = await this.obtain(kind, inst);
      const stored = await this.opts.installations.saveRefreshedTokens(kind, id, tokens, this.now(), source);
      if (!stored) throw parked(kind, id, 'uninstalled');
      this.opts.metrics?.tokenRefreshes.inc({ kind, outcome: 'ok' });
      log.info({ source }, 'ghl token refreshed');
      return tokens.accessToken;
    } catch (err) {
      if (err instanceof UpstreamError && isPermanentGrantFailure(err)) {
        const reason = reasonOf(err);
        await this.opts.installations.markStatus(kind, id, 'needs_reconnect', reason, this.now());
        if (kind === 'location') this.active.delete(id);
        this.opts.metrics?.tokenRefreshes.inc({ kind, outcome: 'needs_reconnect' });
        log.warn({ reason }, 'ghl grant is gone: marked needs_reconnect');
        throw err.kind === 'needs_reconnect' ? err : parked(kind, id, reason, err);
      }
      await this.opts.installations.releaseRefreshLease(kind, id);
      this.opts.metrics?.tokenRefreshes.inc({ kind, outcome: 'error' });
      throw err;
    }
  }

  /**
   * The new tokens for an installation. A location with its own refresh token refreshes it (falling back to
   * the company token when that grant is dead, as GHL's SDK does); a location minted from the company token
   * is minted again (ghl-platform.md §1.3).
   */
  private async obtain(
    kind: InstallationKind,
    inst: Installation,
  ): Promise<{ tokens: TokenSet; source?: 'location' | 'company' }> {
    const refreshToken = inst.tokens?.refreshToken ?? null;
    if (kind === 'company') {
      if (!refreshToken) throw parked('company', idOf(inst), 'no_refresh_token');
      return { tokens: this.toTokenSet(await this.opts.oauth.refresh({ refreshToken, userType: 'Company' })) };
    }
    const location = inst as LocationInstallation;
    if (location.tokenSource === 'location' && refreshToken) {
      try {
        return {
          tokens: this.toTokenSet(await this.opts.oauth.refresh({ refreshToken, userType: 'Location' })),
          source: 'location',
        };
      } catch (err) {
        if (!(err instanceof UpstreamError) || !isPermanentGrantFailure(err) || !(await this.companyCanMint(location))) {
          throw err;
        }
        this.opts.logger.warn({ locationId: location.locationId, reason: reasonOf(err) }, 'location grant dead: minting from the company token');
      }
    }
    if (!location.companyId) throw parked('location', location.locationId, 'no_refresh_token');
    const minted = await this.mintLocationToken(location.companyId, location.locationId);
    return { tokens: this.toTokenSet(minted), source: 'company' };
  }

  private async companyCanMint(location: LocationInstallation): Promise<boolean> {
    if (!location.companyId) return false;
    const company = await this.opts.installations.getCompany(location.companyId);
    return company?.status === 'active' && company.tokens !== null;
  }

  private async load(kind: 'location', id: string): Promise<LocationInstallation>;
  private async load(kind: 'company', id: string): Promise<CompanyInstallation>;
  private async load(kind: InstallationKind, id: string): Promise<Installation>;
  private async load(kind: InstallationKind, id: string): Promise<Installation> {
    const inst =
      kind === 'location' ? await this.opts.installations.getLocation(id) : await this.opts.installations.getCompany(id);
    if (!inst || inst.status !== 'active') {
      // The worker's view may still say active: it reads the row again for the next event.
      if (kind === 'location') this.active.delete(id);
    }
    if (!inst) throw parked(kind, id, 'not_installed');
    if (inst.status !== 'active') throw parked(kind, id, inst.status === 'uninstalled' ? 'uninstalled' : (inst.statusReason ?? 'needs_reconnect'));
    return inst;
  }

  private usable(tokens: TokenSet | null, stale: string | null): boolean {
    return tokens !== null && tokens.accessToken !== stale && tokens.expiresAt - this.now() > this.marginMs;
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

function idOf(inst: Installation): string {
  return 'locationId' in inst ? inst.locationId : inst.companyId;
}

function parked(kind: InstallationKind, id: string, reason: string, cause?: unknown): UpstreamError {
  return new UpstreamError('ghl', 'needs_reconnect', `GHL ${kind} ${id} needs to be reconnected (${reason})`, {
    body: { reason },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** A short reason for the panel: GHL's OAuth error code or message, never a token. */
function reasonOf(err: UpstreamError): string {
  const body = (typeof err.body === 'object' && err.body !== null ? err.body : {}) as {
    error?: unknown;
    error_description?: unknown;
    message?: unknown;
    reason?: unknown;
  };
  const parts = [body.reason, body.error, body.error_description, body.message].filter(
    (p): p is string => typeof p === 'string' && p.length > 0,
  );
  return (parts.length ? parts.join(': ') : err.message).slice(0, 200);
}
