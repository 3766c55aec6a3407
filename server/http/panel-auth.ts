import type { RequestHandler } from 'express';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { forbidden, unauthorized } from '../errors';
import type { UserRole } from '../../shared/contracts/session';

/*
 * The panel's session: a short-lived HS256 JWT minted by POST /api/session from GHL's SSO context. It lives in
 * the panel's memory and travels as `Authorization: Bearer` (no cookies: third-party cookies are blocked in GHL's
 * iframe, issue 6). The panel renews it by repeating the SSO handshake, so there is no refresh token.
 */

export const PANEL_TOKEN_ISSUER = 'responder-live-ghl';
export const PANEL_TOKEN_AUDIENCE = 'ghl-panel';
export const PANEL_TOKEN_TTL_SECONDS = 15 * 60;
const ALGORITHM = 'HS256';

/** Who is calling, attached to every authenticated `/api/*` request. */
export interface PanelSession {
  userId: string;
  locationId: string;
  role: UserRole;
  name: string;
  email: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by requirePanelSession. */
    panel?: PanelSession;
  }
}

const ClaimsSchema = z.object({
  sub: z.string().min(1),
  loc: z.string().min(1),
  role: z.enum(['admin', 'user']),
  name: z.string(),
  email: z.string(),
});

/** Signs a panel token for one user and location. `now` is epoch ms (tests pin it). */
export function issuePanelToken(
  session: PanelSession,
  secret: string,
  now = Date.now(),
): { token: string; expiresAt: number } {
  const iat = Math.floor(now / 1000);
  const exp = iat + PANEL_TOKEN_TTL_SECONDS;
  const token = jwt.sign(
    { sub: session.userId, loc: session.locationId, role: session.role, name: session.name, email: session.email, iat, exp },
    secret,
    { algorithm: ALGORITHM, issuer: PANEL_TOKEN_ISSUER, audience: PANEL_TOKEN_AUDIENCE },
  );
  return { token, expiresAt: exp * 1000 };
}

/**
 * Verifies signature, algorithm (HS256 only, so `alg: none` and key-confusion tokens fail), issuer, audience and
 * expiry. Returns the session, or undefined for any token that is not ours and current.
 */
export function verifyPanelToken(token: string, secret: string, now = Date.now()): PanelSession | undefined {
  let decoded: unknown;
  try {
    decoded = jwt.verify(token, secret, {
      algorithms: [ALGORITHM],
      issuer: PANEL_TOKEN_ISSUER,
      audience: PANEL_TOKEN_AUDIENCE,
      clockTimestamp: Math.floor(now / 1000),
    });
  } catch {
    return undefined;
  }
  const claims = ClaimsSchema.safeParse(decoded);
  if (!claims.success) return undefined;
  const { sub, loc, role, name, email } = claims.data;
  return { userId: sub, locationId: loc, role, name, email };
}

/** Rejects a request without a valid `Authorization: Bearer <panel token>` (401 `unauthorized`). */
export function requirePanelSession(secret: string, clock: () => number = Date.now): RequestHandler {
  return (req, _res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    const session = match?.[1] ? verifyPanelToken(match[1], secret, clock()) : undefined;
    if (!session) return next(unauthorized('A valid panel session is required; reopen the panel'));
    req.panel = session;
    next();
  };
}

/** Lets only the location's admins through (403 `forbidden`). Mount after requirePanelSession. */
export const requireAdmin: RequestHandler = (req, _res, next) => {
  if (req.panel?.role !== 'admin') return next(forbidden('Only an admin of this sub-account can change this'));
  next();
};

/** The session of a request that passed requirePanelSession (a programming error otherwise). */
export function panelSessionOf(req: { panel?: PanelSession }): PanelSession {
  if (!req.panel) throw new Error('requirePanelSession must run before this handler');
  return req.panel;
}
