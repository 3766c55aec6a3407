import axios, { type AxiosInstance } from 'axios';
import type { z } from 'zod';
import { UpstreamError } from '../../errors';
import type { Logger } from '../../logger';
import { toGhlError } from './ghl-errors';
import { GHL_API_VERSION } from './ghl-http';
import {
  GhlInstalledLocations,
  GhlLocationTokenResponse,
  GhlTokenResponse,
  type GhlTokenResponse as GhlTokenResponseType,
} from './ghl-schemas';

export interface GhlOAuthClientOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  logger: Logger;
}

const FORM = 'application/x-www-form-urlencoded';

/**
 * GHL's OAuth endpoints (apps/oauth.json; ghl-platform.md §1.2–1.3). The token endpoint takes a form body and,
 * per the spec, no Version header; /oauth/locationToken and /oauth/installedLocations want `Version:
 * 2021-07-28` and the Company token. Failures are UpstreamError with GHL's `error`/`error_description`.
 */
export class GhlOAuthClient {
  private readonly http: AxiosInstance;

  constructor(private readonly opts: GhlOAuthClientOptions) {
    this.http = axios.create({
      baseURL: opts.baseUrl.replace(/\/+$/, ''),
      timeout: opts.timeoutMs,
      headers: { Accept: 'application/json' },
      maxRedirects: 0,
    });
  }

  /** POST /oauth/token, grant_type=authorization_code (get-access-token). */
  exchangeCode(input: {
    code: string;
    redirectUri: string;
    userType?: 'Location' | 'Company';
  }): Promise<GhlTokenResponseType> {
    return this.token({
      grant_type: 'authorization_code',
      code: input.code,
      redirect_uri: input.redirectUri,
      user_type: input.userType,
    });
  }

  /**
   * POST /oauth/token, grant_type=refresh_token. GHL rotates the refresh token: store the new one. `user_type`
   * is sent on every refresh as the official SDK does.
   */
  refresh(input: { refreshToken: string; userType: 'Location' | 'Company' }): Promise<GhlTokenResponseType> {
    return this.token({ grant_type: 'refresh_token', refresh_token: input.refreshToken, user_type: input.userType });
  }

  /** POST /oauth/locationToken (get-location-access-token): a Location token minted from a Company token. */
  async locationToken(input: {
    companyAccessToken: string;
    companyId: string;
    locationId: string;
  }): Promise<GhlTokenResponseType> {
    const body = new URLSearchParams({ companyId: input.companyId, locationId: input.locationId });
    const res = await this.send('POST', '/oauth/locationToken', {
      data: body.toString(),
      headers: { 'Content-Type': FORM, Version: GHL_API_VERSION, Authorization: `Bearer ${input.companyAccessToken}` },
    });
    return parse('POST /oauth/locationToken', GhlLocationTokenResponse, res);
  }

  /** GET /oauth/installedLocations (get-installed-location): the company's locations and whether we are installed. */
  async installedLocations(input: {
    companyAccessToken: string;
    companyId: string;
    appId: string;
    limit?: number;
    skip?: number;
  }): Promise<{ locations: { _id: string; name?: string; isInstalled?: boolean }[]; count?: number }> {
    const params: Record<string, string> = { companyId: input.companyId, appId: input.appId };
    if (input.limit !== undefined) params.limit = String(input.limit);
    if (input.skip !== undefined) params.skip = String(input.skip);
    const res = await this.send('GET', `/oauth/installedLocations?${new URLSearchParams(params).toString()}`, {
      headers: { Version: GHL_API_VERSION, Authorization: `Bearer ${input.companyAccessToken}` },
      path: '/oauth/installedLocations',
    });
    return parse('GET /oauth/installedLocations', GhlInstalledLocations, res);
  }

  private async token(fields: Record<string, string | undefined>): Promise<GhlTokenResponseType> {
    const body = new URLSearchParams({ client_id: this.opts.clientId, client_secret: this.opts.clientSecret });
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) body.set(k, v);
    const res = await this.send('POST', '/oauth/token', {
      data: body.toString(),
      headers: { 'Content-Type': FORM },
    });
    return parse('POST /oauth/token', GhlTokenResponse, res);
  }

  private async send(
    method: 'GET' | 'POST',
    url: string,
    extra: { data?: string; headers: Record<string, string>; path?: string },
  ): Promise<{ status: number; data: unknown }> {
    const path = extra.path ?? url;
    const started = performance.now();
    try {
      const res = await this.http.request({ method, url, data: extra.data, headers: extra.headers });
      this.log(method, path, res.status, started);
      return { status: res.status, data: res.data };
    } catch (err) {
      const error = toGhlError(err, `${method} ${path}`);
      this.log(method, path, error.status ?? 0, started);
      throw error;
    }
  }

  private log(method: string, path: string, status: number, started: number): void {
    const durationMs = Math.round(performance.now() - started);
    this.opts.logger.debug({ method, path, status, durationMs }, 'ghl oauth call');
  }
}

function parse<S extends z.ZodType>(what: string, schema: S, res: { status: number; data: unknown }): z.output<S> {
  const parsed = schema.safeParse(res.data);
  if (parsed.success) return parsed.data;
  // Field paths only: the body itself may hold a token, and this message can end up in a log.
  const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new UpstreamError('ghl', 'permanent', `GHL ${what} answered ${res.status} with an unexpected body (${issues.join('; ')})`, {
    status: res.status,
  });
}

const PERMANENT_GRANT_ERRORS = new Set(['invalid_grant', 'unauthorized_client', 'access_denied']);

/**
 * True when a refresh failure means the grant is gone for good (invalid_grant, "Location is not active",
 * revoked/uninstalled), so the location needs a reconnect; false for transient and rate-limit failures.
 */
export function isPermanentGrantFailure(err: UpstreamError): boolean {
  if (err.kind === 'needs_reconnect') return true;
  if (err.kind !== 'permanent' && err.kind !== 'auth') return false;
  // A body that failed our schema is our problem, not a dead grant.
  if (err.status !== undefined && err.status < 400) return false;
  const body = (typeof err.body === 'object' && err.body !== null ? err.body : {}) as { error?: unknown };
  if (typeof body.error === 'string' && PERMANENT_GRANT_ERRORS.has(body.error)) return true;
  // GHL's refresh errors are not enumerated (highlevel-api-docs issue #249); these are the ones seen in the wild.
  return /invalid[_ ]grant|not active|revoked|uninstall|refresh token (is )?(invalid|expired|not found)|invalid refresh/i.test(
    err.message,
  );
}
