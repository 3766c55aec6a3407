import { randomBytes } from 'node:crypto';
import { oauthError } from './simulator-http';

/** What a token stands for: a sub-account (Location) or an agency (Company) install. */
export interface TokenGrant {
  userType: 'Location' | 'Company';
  companyId: string;
  locationId?: string;
  approvedLocations?: string[];
  isBulkInstallation?: boolean;
  userId: string;
  scope: string;
}

/** `GetAccessCodeSuccessfulResponseDto` (apps/oauth.json), plus what locationToken adds. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
  userType: 'Location' | 'Company';
  companyId: string;
  locationId?: string;
  approvedLocations?: string[];
  isBulkInstallation?: boolean;
  userId: string;
  planId?: string;
  appId?: string;
  versionId?: string;
}

interface AccessToken {
  grant: TokenGrant;
  expiresAt: number;
  forcedExpired: boolean;
}

interface RefreshToken {
  grant: TokenGrant;
  revoked: boolean;
  /** First use; GHL answers the same refresh token again for 30 s after it (ghl-platform.md §1.4). */
  usedAt?: number;
  answer?: TokenResponse;
}

interface AuthCode {
  grant: TokenGrant;
  redirectUri?: string;
  used: boolean;
}

// "if multiple concurrent calls are made within a 30-second window using the exact same client_id and
// client_secret and refresh_token combination, the system will return the same refresh token"
// (https://ideas.gohighlevel.com/changelog?labels=api, ghl-platform.md §1.4).
export const REFRESH_GRACE_MS = 30_000;

const opaque = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;

/** Authorization codes, access tokens and single-use refresh tokens, with GHL's grace window. */
export class TokenStore {
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, RefreshToken>();
  private readonly codes = new Map<string, AuthCode>();

  constructor(
    private readonly now: () => number,
    private readonly ttlSeconds: number,
  ) {}

  createCode(grant: TokenGrant, redirectUri?: string): string {
    const code = randomBytes(20).toString('hex');
    this.codes.set(code, { grant, redirectUri, used: false });
    return code;
  }

  /** Single use: a second exchange of the same code is `invalid_grant`. */
  redeemCode(code: string, redirectUri: string | undefined): TokenGrant {
    const entry = this.codes.get(code);
    if (!entry) throw oauthError(400, 'invalid_grant', 'Invalid grant: authorization code is invalid');
    if (entry.used) throw oauthError(400, 'invalid_grant', 'Invalid grant: authorization code has already been used');
    if (redirectUri !== undefined && entry.redirectUri !== undefined && redirectUri !== entry.redirectUri)
      throw oauthError(400, 'invalid_grant', 'Invalid grant: redirect_uri does not match the authorization request');
    entry.used = true;
    return entry.grant;
  }

  issue(grant: TokenGrant, extra: Partial<TokenResponse> = {}): TokenResponse {
    const accessToken = opaque('sim-at-');
    const refreshToken = opaque('sim-rt-');
    this.access.set(accessToken, { grant, expiresAt: this.now() + this.ttlSeconds * 1000, forcedExpired: false });
    this.refresh.set(refreshToken, { grant, revoked: false });
    const answer: TokenResponse = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: this.ttlSeconds,
      refresh_token: refreshToken,
      scope: grant.scope,
      userType: grant.userType,
      companyId: grant.companyId,
      userId: grant.userId,
      ...extra,
    };
    if (grant.userType === 'Location') answer.locationId = grant.locationId;
    else {
      if (grant.approvedLocations) answer.approvedLocations = [...grant.approvedLocations];
      answer.isBulkInstallation = grant.isBulkInstallation ?? false;
    }
    return answer;
  }

  /**
   * Rotates a refresh token. Inside the grace window the first answer is repeated verbatim; after it, or for a
   * revoked or unknown token, `invalid_grant`. `isActive` vetoes suspended locations.
   */
  useRefreshToken(token: string, isActive: (grant: TokenGrant) => boolean): TokenResponse {
    const entry = this.refresh.get(token);
    if (!entry || entry.revoked) throw oauthError(400, 'invalid_grant', 'Invalid grant: refresh token is invalid');
    if (!isActive(entry.grant)) throw oauthError(400, 'invalid_grant', 'Location is not active');
    if (entry.usedAt !== undefined) {
      if (this.now() - entry.usedAt <= REFRESH_GRACE_MS && entry.answer) return { ...entry.answer };
      throw oauthError(400, 'invalid_grant', 'Invalid grant: refresh token is invalid');
    }
    const answer = this.issue(entry.grant);
    entry.usedAt = this.now();
    entry.answer = answer;
    return { ...answer };
  }

  /** The grant behind a live access token; undefined when unknown or expired (→ 401 Invalid JWT). */
  grantFor(accessToken: string): TokenGrant | undefined {
    const entry = this.access.get(accessToken);
    if (!entry || entry.forcedExpired || this.now() >= entry.expiresAt) return undefined;
    return entry.grant;
  }

  expireAccessTokens(): void {
    for (const entry of this.access.values()) entry.forcedExpired = true;
  }

  revokeRefreshTokens(resourceId?: string): void {
    for (const entry of this.refresh.values())
      if (resourceId === undefined || resourceOf(entry.grant) === resourceId) entry.revoked = true;
  }
}

/** The rate-limit resource of a token: its location for Location tokens, its company otherwise. */
export function resourceOf(grant: TokenGrant): string {
  return grant.userType === 'Location' && grant.locationId !== undefined ? grant.locationId : grant.companyId;
}
