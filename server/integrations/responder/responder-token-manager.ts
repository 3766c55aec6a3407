import type { AxiosResponse } from 'axios';
import { UpstreamError } from '../../errors';
import type { Logger } from '../../logger';
import { tokenResponseSchema } from './responder-api-schemas';
import { responderFailure, safeBody } from './responder-http-errors';

export interface ResponderCredentials {
  clientId: string;
  clientSecret: string;
  userToken: string;
}

export interface ResponderToken {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
  accountId?: string;
}

/** Where tokens outlive one client (the connection row); sync or async. */
export interface ResponderTokenCache {
  get(): ResponderToken | null | Promise<ResponderToken | null>;
  set(value: ResponderToken): void | Promise<void>;
}

/** Posts JSON to a path of the API without a bearer token. */
export type TokenRequest = (path: string, body: unknown) => Promise<AxiosResponse<unknown>>;

// Refresh this long before `expire`: lifetimes are reported anywhere from an hour to 14 days (responder-live.md §1.2).
const EXPIRY_MARGIN_MS = 60_000;
const DEFAULT_TOKEN_LIFETIME_MS = 50 * 60_000;

/**
 * Client-credentials tokens for one Responder Live account: memory, then the shared cache, then
 * `POST /oauth/token`, one request at a time. A token the server rejected is never handed out again.
 */
export class ResponderTokenManager {
  private token: ResponderToken | null = null;
  private inflight: Promise<ResponderToken> | null = null;

  constructor(
    private readonly options: {
      request: TokenRequest;
      credentials: ResponderCredentials;
      logger: Logger;
      cache?: ResponderTokenCache;
      now: () => number;
    },
  ) {}

  /** The account id the last token answer carried. */
  get accountId(): string | undefined {
    return this.token?.accountId;
  }

  /** A fresh token; `rejected` is one the API just answered 401 to, so a new one is fetched instead. */
  async get(rejected?: string): Promise<ResponderToken> {
    if (this.token && this.token.token !== rejected && this.isFresh(this.token)) return this.token;
    if (!this.inflight) {
      this.inflight = this.load(rejected).finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  private isFresh(t: ResponderToken): boolean {
    return t.expiresAt - EXPIRY_MARGIN_MS > this.options.now();
  }

  private async load(rejected?: string): Promise<ResponderToken> {
    const cached = await this.options.cache?.get();
    if (cached && cached.token !== rejected && this.isFresh(cached)) {
      this.token = cached;
      return cached;
    }
    const fresh = await this.fetch();
    this.token = fresh;
    try {
      await this.options.cache?.set(fresh);
    } catch (err) {
      this.options.logger.warn({ err }, 'responder token cache write failed');
    }
    return fresh;
  }

  private async fetch(): Promise<ResponderToken> {
    const { clientId, clientSecret, userToken } = this.options.credentials;
    // client_id must be a number: a string id is refused (§1.2).
    const body = {
      grant_type: 'client_credentials',
      scope: '*',
      client_id: /^\d+$/.test(clientId) ? Number(clientId) : clientId,
      client_secret: clientSecret,
      user_token: userToken,
    };
    const res = await this.options.request('/oauth/token', body);
    // Wrong credentials will not fix themselves: the user has to enter new ones.
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      throw new UpstreamError('responder', 'needs_reconnect', `Responder Live refused the API credentials (${res.status})`, {
        status: res.status,
        body: safeBody(res.data),
      });
    }
    if (res.status >= 300) throw responderFailure(res, 'POST /oauth/token');
    const parsed = tokenResponseSchema.safeParse(res.data);
    // The server answers `token`; the help article says `access_token` (§1.2). Either will do.
    const token = parsed.success ? (parsed.data.token ?? parsed.data.access_token) : undefined;
    if (!parsed.success || !token) {
      throw new UpstreamError('responder', 'needs_reconnect', 'Responder Live answered the token request without a token', {
        status: res.status,
        body: safeBody(res.data),
      });
    }
    const { expire, expires_in: expiresIn, account_id: accountId } = parsed.data;
    const now = this.options.now();
    const expiresAt = expire ? expire * 1000 : expiresIn ? now + expiresIn * 1000 : now + DEFAULT_TOKEN_LIFETIME_MS;
    return { token, expiresAt, ...(accountId !== undefined ? { accountId: String(accountId) } : {}) };
  }
}
