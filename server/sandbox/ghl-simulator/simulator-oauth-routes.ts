import { Router, type Request, type RequestHandler } from 'express';
import { grantOf, hang } from './simulator-api-guard';
import type { SimContext } from './simulator-context';
import { installedLocationsQuery, locationTokenDto, tokenRequestDto } from './simulator-dtos';
import { ghlError, notFoundIn, oauthError, parseDto, wrongTokenType } from './simulator-http';
import type { SimLocation } from './simulator-entities';
import type { TokenGrant } from './simulator-tokens';

export const DEFAULT_SCOPES =
  'contacts.readonly contacts.write users.readonly locations.readonly oauth.readonly oauth.write';
const VERSION_ID = 'sim-version-1';

export interface AuthCodeInput {
  userType: 'Location' | 'Company';
  companyId: string;
  locationId?: string;
  approvedLocations?: string[];
  isBulkInstallation?: boolean;
  userId?: string;
  scope?: string;
  redirectUri?: string;
}

/** What GHL's consent screen does: installs the app where the user approved it and hands out a code. */
export function createAuthCode(ctx: SimContext, input: AuthCodeInput): string {
  const { state } = ctx;
  const company = state.requireCompany(input.companyId);
  const ownLocation = (id: string): SimLocation => {
    const location = state.requireLocation(id);
    if (location.companyId !== company.id) throw new Error(`GHL simulator: location ${id} is not in company ${company.id}`);
    return location;
  };
  if (input.userType === 'Location' && input.locationId === undefined)
    throw new Error('GHL simulator: a Location auth code needs a locationId');
  const location = input.locationId === undefined ? undefined : ownLocation(input.locationId);
  const approved = input.approvedLocations?.map((id) => ownLocation(id).id);
  for (const id of [...(approved ?? []), ...(input.userType === 'Location' && location ? [location.id] : [])])
    state.installApp(id);
  const someUser = [...state.users.values()].find((u) =>
    location ? u.locationIds.includes(location.id) : u.companyId === company.id,
  );
  const grant: TokenGrant = {
    userType: input.userType,
    companyId: company.id,
    locationId: location?.id,
    approvedLocations: approved,
    isBulkInstallation: input.isBulkInstallation ?? (input.userType === 'Company' && approved !== undefined),
    userId: input.userId ?? someUser?.id ?? `sim-user-${company.id}`,
    scope: input.scope ?? DEFAULT_SCOPES,
  };
  return ctx.tokens.createCode(grant, input.redirectUri);
}

const isForm = (req: Request) => Boolean(req.is('application/x-www-form-urlencoded'));

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The unauthenticated OAuth endpoints: the token endpoint and the consent page. */
export function oauthPublicRoutes(ctx: SimContext): Router {
  const router = Router();
  // A suspended (SaaS-paused) sub-account fails its refresh with 400 "Location is not active" (issue #249).
  const isActive = (grant: TokenGrant) =>
    grant.userType !== 'Location' ||
    grant.locationId === undefined ||
    ctx.state.locations.get(grant.locationId)?.active !== false;

  router.post('/oauth/token', (req, res) => {
    if (ctx.faults.shouldHang(true)) return hang(res);
    if (ctx.faults.shouldFail(true)) throw ghlError(500, 'Internal server error');
    // The token endpoint takes application/x-www-form-urlencoded only (GetAccessCodebodyDto, apps/oauth.json).
    if (!isForm(req))
      throw oauthError(415, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    const body = parseDto(tokenRequestDto, req.body);
    if (body.client_id !== ctx.clientId || body.client_secret !== ctx.clientSecret)
      throw oauthError(401, 'invalid_client', 'Client authentication failed');

    if (body.grant_type === 'authorization_code') {
      if (!body.code) throw oauthError(400, 'invalid_request', 'code is required for grant_type authorization_code');
      let grant = ctx.tokens.redeemCode(body.code, body.redirect_uri);
      grant = honourUserType(grant, body.user_type);
      if (!isActive(grant)) throw oauthError(400, 'invalid_grant', 'Location is not active');
      ctx.stats.tokenExchanges += 1;
      res.json(ctx.tokens.issue(grant));
      return;
    }
    if (body.grant_type === 'refresh_token') {
      if (!body.refresh_token)
        throw oauthError(400, 'invalid_request', 'refresh_token is required for grant_type refresh_token');
      const answer = ctx.tokens.useRefreshToken(body.refresh_token, isActive);
      ctx.stats.refreshes += 1;
      res.json(answer);
      return;
    }
    throw oauthError(400, 'unsupported_grant_type', 'client_credentials is not available to marketplace apps');
  });

  /** Sandbox consent page: installs on `?locationId=` (or the first location) and redirects back with a code. */
  const chooseLocation: RequestHandler = (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const problem =
      q.response_type !== 'code'
        ? 'response_type must be "code"'
        : q.client_id !== ctx.clientId
          ? 'client_id is not a known app'
          : !q.redirect_uri || !URL.canParse(q.redirect_uri)
            ? 'redirect_uri is missing or not a URL'
            : q.locationId !== undefined && !ctx.state.locations.has(q.locationId)
              ? 'locationId is not a known sub-account'
              : undefined;
    if (problem) {
      res.status(400).type('html').send(`<!doctype html><title>Install failed</title><p>${escapeHtml(problem)}</p>`);
      return;
    }
    const location =
      (q.locationId === undefined ? undefined : ctx.state.locations.get(q.locationId)) ??
      ctx.state.locations.values().next().value ??
      sandboxLocation(ctx);
    const userType = q.user_type === 'Company' ? 'Company' : 'Location';
    const code = createAuthCode(ctx, {
      userType,
      companyId: location.companyId,
      locationId: location.id,
      approvedLocations: userType === 'Company' ? [location.id] : undefined,
      scope: q.scope,
      redirectUri: q.redirect_uri,
    });
    const target = new URL(q.redirect_uri!);
    target.searchParams.set('code', code);
    if (q.state !== undefined) target.searchParams.set('state', q.state);
    const href = escapeHtml(target.toString());
    res
      .status(302)
      .location(target.toString())
      .type('html')
      .send(
        `<!doctype html><title>Install app</title><p>Installing on ${escapeHtml(location.name)}…` +
          ` <a href="${href}">continue</a></p>`,
      );
  };
  // Official material shows both the /v2/ path and the older one (ghl-platform.md §1.1).
  router.get('/oauth/chooselocation', chooseLocation);
  router.get('/v2/oauth/chooselocation', chooseLocation);

  return router;
}

/** An empty simulator still lets a newcomer install: one sub-account with one admin. */
function sandboxLocation(ctx: SimContext): SimLocation {
  const location = ctx.state.addLocation({ name: 'Sandbox Location' });
  ctx.state.addUser(location.id, { firstName: 'Sandbox', lastName: 'Admin', role: 'admin' });
  return location;
}

/**
 * `user_type` "The type of token to be requested": a Location code asked as Company yields the agency token;
 * a Company code asked as Location yields the token of the location it was issued for, if any.
 */
function honourUserType(grant: TokenGrant, userType: 'Company' | 'Location' | undefined): TokenGrant {
  if (userType === undefined || userType === grant.userType) return grant;
  if (userType === 'Company') return { ...grant, userType: 'Company', locationId: undefined };
  const only = grant.locationId ?? (grant.approvedLocations?.length === 1 ? grant.approvedLocations[0] : undefined);
  if (only === undefined)
    throw oauthError(400, 'invalid_request', 'user_type Location needs an install on exactly one location');
  return { ...grant, userType: 'Location', locationId: only, approvedLocations: undefined, isBulkInstallation: undefined };
}

/** The Company-token OAuth endpoints behind the API guard: /oauth/locationToken and /oauth/installedLocations. */
export function oauthApiRoutes(ctx: SimContext): Router {
  const router = Router();

  router.post('/oauth/locationToken', (req, res) => {
    const grant = grantOf(res);
    if (grant.userType !== 'Company') throw wrongTokenType();
    // Form-encoded like /oauth/token (apps/oauth.json); the official template's JSON post is a known defect.
    if (!isForm(req)) throw ghlError(415, 'Content-Type must be application/x-www-form-urlencoded');
    const body = parseDto(locationTokenDto, req.body);
    if (body.companyId !== grant.companyId) throw ghlError(401, 'The token does not have access to this company');
    const location = ctx.state.locations.get(body.locationId);
    if (!location || location.companyId !== grant.companyId) throw notFoundIn('Location');
    if (!location.active) throw ghlError(400, 'Location is not active', { error: 'Bad Request' });
    if (!location.installed) throw ghlError(400, 'App is not installed on this location', { error: 'Bad Request' });
    ctx.stats.locationTokens += 1;
    const locationGrant: TokenGrant = {
      userType: 'Location',
      companyId: grant.companyId,
      locationId: location.id,
      userId: grant.userId,
      scope: grant.scope,
    };
    res.json(ctx.tokens.issue(locationGrant, { appId: ctx.appId, versionId: VERSION_ID }));
  });

  router.get('/oauth/installedLocations', (req, res) => {
    const grant = grantOf(res);
    if (grant.userType !== 'Company') throw wrongTokenType();
    const query = parseDto(installedLocationsQuery, req.query);
    if (query.companyId !== grant.companyId) throw ghlError(401, 'The token does not have access to this company');
    if (query.appId !== ctx.appId) throw ghlError(400, 'App not found', { error: 'Bad Request' });
    const company = ctx.state.requireCompany(grant.companyId);
    const all = ctx.state
      .locationsOf(company.id)
      .filter((l) => query.isInstalled === undefined || l.installed === (query.isInstalled === 'true'))
      .filter((l) => query.locationId === undefined || l.id === query.locationId)
      .filter((l) => query.query === undefined || l.name.toLowerCase().includes(query.query.toLowerCase()));
    const skip = query.skip ?? 0;
    const locations = all.slice(skip, skip + (query.limit ?? 20)).map((l) => ({
      _id: l.id,
      name: l.name,
      address: l.address,
      isInstalled: l.installed,
      ...(l.installed ? { versionId: VERSION_ID, installedAt: l.installedAt } : {}),
    }));
    res.json({ locations, count: all.length, installToFutureLocations: company.installToFutureLocations });
  });

  return router;
}
