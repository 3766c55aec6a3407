import express, { type Request, type Response, type Router } from 'express';
import session from 'express-session';
import { z } from 'zod';
import type { Config } from '../config';
import type { Db } from '../db/database';
import type { InstallationRepository } from '../db/repositories/installation-repository';
import { KyselySessionStore } from '../db/repositories/session-store';
import { UpstreamError } from '../errors';
import type { GhlOAuthClient } from '../integrations/ghl/ghl-oauth-client';
import type { Logger } from '../logger';
import { errorPage, successPage } from './install-pages';
import { InstallService, describeUpstream } from './install-service';
import { OAuthStateSigner, STATE_TTL_MS } from './oauth-state';
import type { TokenService } from './token-service';

export interface InstallRouterDeps {
  config: Config;
  logger: Logger;
  db: Db;
  installations: InstallationRepository;
  tokens: TokenService;
  oauth: GhlOAuthClient;
  now?: () => number;
}

const SESSION_COOKIE = 'rlghl.sid';

// Express 5 parses repeated parameters into arrays; anything but one string is refused.
const CallbackQuery = z.object({
  code: z.string().min(1).max(4096).optional(),
  state: z.string().min(1).max(4096).optional(),
});

/**
 * `GET /oauth/install` and `GET /oauth/callback` (SPEC §2). The install link carries a `state` bound to the
 * browser's session; the callback refuses a state that is present but not valid for this browser, accepts
 * none at all (installs started from the marketplace carry none; ghl-platform.md §1.1), and stores the tokens.
 */
export function installRouter(deps: InstallRouterDeps): Router {
  const { config, logger } = deps;
  const now = deps.now ?? Date.now;
  const signer = new OAuthStateSigner(config.sessionSecret, now);
  const installs = new InstallService({
    installations: deps.installations,
    tokens: deps.tokens,
    oauth: deps.oauth,
    appId: config.ghl.appId,
    logger: logger.child({ area: 'oauth' }),
    now,
  });
  const redirectUri = `${config.publicUrl}/oauth/callback`;
  const sessions = session({
    name: SESSION_COOKIE,
    store: new KyselySessionStore(deps.db),
    secret: config.sessionSecret,
    resave: false,
    saveUninitialized: false,
    // Behind a TLS-terminating proxy the app sees http; trust X-Forwarded-Proto for the secure cookie.
    proxy: true,
    cookie: {
      httpOnly: true,
      // Lax: the callback is a top-level GET navigation back from GHL, which still carries the cookie.
      sameSite: 'lax',
      secure: config.publicUrl.startsWith('https://'),
      maxAge: STATE_TTL_MS * 3,
    },
  });

  const router = express.Router();

  router.get('/oauth/install', sessions, (req, res) => {
    const url = new URL(config.ghl.authorizeUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', config.ghl.clientId);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('scope', config.ghl.scopes);
    url.searchParams.set('state', signer.issue(req.session));
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, url.toString());
  });

  router.get('/oauth/callback', sessions, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const query = CallbackQuery.safeParse(req.query);
    if (!query.success) {
      return sendPage(res, 400, errorPage('Invalid request', 'The link is malformed.', 'הקישור אינו תקין.'));
    }
    const { code, state } = query.data;
    if (state !== undefined) {
      const check = signer.verify(state, req.session);
      if (!check.ok) {
        req.log.warn({ reason: check.reason }, 'oauth callback: state refused');
        return sendPage(
          res,
          400,
          errorPage(
            'Install link not valid',
            check.reason === 'expired'
              ? 'This install link has expired (links are valid for 10 minutes). Nothing was connected.'
              : 'This install link was not started in this browser or was already used (state mismatch). Nothing was connected.',
            'קישור ההתקנה פג תוקף או שאינו שייך לדפדפן הזה. שום דבר לא חובר.',
          ),
        );
      }
    }
    if (!code) {
      return sendPage(res, 400, errorPage('No authorization code', 'GoHighLevel did not send an authorization code. Nothing was connected.', 'לא התקבל קוד הרשאה מ-GoHighLevel. שום דבר לא חובר.'));
    }
    try {
      const token = await deps.oauth.exchangeCode({ code, redirectUri });
      const outcome = await installs.storeExchangedToken(token);
      req.log.info(
        { userType: outcome.userType, companyId: outcome.companyId, locations: outcome.locations.length },
        'oauth install stored',
      );
      return sendPage(res, 200, successPage(outcome));
    } catch (err) {
      return sendFailure(req, res, err);
    }
  });

  return router;
}

function sendPage(res: Response, status: number, html: string): void {
  res.status(status).type('html').send(html);
}

/** GHL refused (bad or reused code…): show its words; anything else: a generic page, details only in the log. */
function sendFailure(req: Request, res: Response, err: unknown): void {
  if (err instanceof UpstreamError) {
    const clientSide = err.status !== undefined && err.status >= 400 && err.status < 500;
    req.log.warn({ status: err.status, kind: err.kind, err: err.message }, 'oauth callback: GHL refused');
    return sendPage(
      res,
      clientSide ? 400 : 502,
      errorPage(
        'GoHighLevel refused the installation',
        `GoHighLevel answered: ${describeUpstream(err)}. The authorization code may have been used already or expired. Nothing was connected.`,
        'GoHighLevel דחה את ההתקנה (ייתכן שהקוד כבר נוצל או פג תוקפו). שום דבר לא חובר.',
      ),
    );
  }
  req.log.error({ err }, 'oauth callback failed');
  sendPage(res, 500, errorPage('Something went wrong', 'The installation could not be stored. Please try again.', 'ההתקנה לא נשמרה. נסו שוב.'));
}
