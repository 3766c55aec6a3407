import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

declare module 'express-session' {
  interface SessionData {
    /** Nonces of install flows started in this browser session, newest last (see oauth-state.ts). */
    oauthNonces?: string[];
  }
}

export const STATE_TTL_MS = 10 * 60 * 1000;
/** A few tabs may start an install at once; older nonces fall off. */
const MAX_PENDING_NONCES = 5;

export type StateCheck = { ok: true } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'wrong_session' };

/**
 * The OAuth `state` parameter: `<base64url {n, exp}>.<base64url HMAC-SHA256>` keyed with SESSION_SECRET.
 * The nonce `n` is also kept in the browser's session, so a state is valid only in the browser that started
 * the install, only once, and only for STATE_TTL_MS (CSRF on the callback: RFC 6749 §10.12).
 */
export class OAuthStateSigner {
  constructor(
    private readonly secret: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a state and records its nonce in the session. */
  issue(session: { oauthNonces?: string[] }): string {
    const nonce = randomBytes(16).toString('base64url');
    session.oauthNonces = [...(session.oauthNonces ?? []), nonce].slice(-MAX_PENDING_NONCES);
    const payload = Buffer.from(JSON.stringify({ n: nonce, exp: this.now() + STATE_TTL_MS })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** Checks a state returned to the callback and consumes its nonce from the session. */
  verify(state: string, session: { oauthNonces?: string[] } | undefined): StateCheck {
    const [payload, signature, extra] = state.split('.');
    if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'malformed' };
    const expected = Buffer.from(this.sign(payload), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const { n, exp } = (parsed ?? {}) as { n?: unknown; exp?: unknown };
    if (typeof n !== 'string' || typeof exp !== 'number') return { ok: false, reason: 'malformed' };
    if (exp < this.now()) return { ok: false, reason: 'expired' };
    const nonces = session?.oauthNonces ?? [];
    if (!nonces.includes(n)) return { ok: false, reason: 'wrong_session' };
    session!.oauthNonces = nonces.filter((x) => x !== n);
    return { ok: true };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(`ghl-oauth-state:${payload}`).digest('base64url');
  }
}
