import type { RequestHandler, Response } from 'express';
import type { SimContext } from './simulator-context';
import {
  GHL_API_VERSION,
  ghlError,
  invalidJwt,
  noLocationAccess,
  notFoundIn,
  wrongTokenType,
} from './simulator-http';
import type { SimContact, SimLocation } from './simulator-entities';
import { resourceOf, type TokenGrant } from './simulator-tokens';

/** Leaves the response open: what a GHL call that times out looks like to the client. */
export function hang(res: Response): void {
  res.locals.hung = true;
}

/**
 * In front of every API route: timeout fault, bearer token, rate limit (headers on every answer, 429 past the
 * budget), Version header, error fault, in that order.
 */
export function apiGuard(ctx: SimContext): RequestHandler {
  return (req, res, next) => {
    if (ctx.faults.shouldHang(false)) return hang(res);

    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const grant = match?.[1] ? ctx.tokens.grantFor(match[1]) : undefined;
    if (!grant) throw invalidJwt();
    const resourceId = resourceOf(grant);
    res.locals.grant = grant;
    res.locals.resourceId = resourceId;

    const decision = ctx.limiter.consume(resourceId, ctx.faults.takeBurst());
    res.set(decision.headers);
    if (!decision.allowed) {
      ctx.stats.rateLimited += 1;
      throw ghlError(429, 'Too Many Requests');
    }

    const version = req.get('version');
    if (version === undefined || version === '') throw ghlError(400, 'version header is required', { error: 'Bad Request' });
    if (version !== GHL_API_VERSION)
      throw ghlError(400, `version header must be ${GHL_API_VERSION}`, { error: 'Bad Request' });

    if (ctx.faults.shouldFail(false)) throw ghlError(500, 'Internal server error');
    next();
  };
}

export function grantOf(res: Response): TokenGrant {
  return res.locals.grant as TokenGrant;
}

/** Contacts endpoints are Location-token only (security `Location-Access`, apps/contacts.json). */
export function locationGrant(res: Response): TokenGrant & { locationId: string } {
  const grant = grantOf(res);
  if (grant.userType !== 'Location' || grant.locationId === undefined) throw wrongTokenType();
  return grant as TokenGrant & { locationId: string };
}

/** A location the token may touch: its own (Location token) or one of its company's (Company token). */
export function accessibleLocation(ctx: SimContext, res: Response, locationId: string): SimLocation {
  const grant = grantOf(res);
  const location = ctx.state.locations.get(locationId);
  if (grant.userType === 'Location') {
    if (grant.locationId !== locationId) throw noLocationAccess();
  } else if (location && location.companyId !== grant.companyId) throw noLocationAccess();
  if (!location) throw notFoundIn('Location');
  return location;
}

/** A contact of the token's own location. */
export function accessibleContact(ctx: SimContext, res: Response, contactId: string): SimContact {
  const grant = locationGrant(res);
  const contact = ctx.state.contacts.get(contactId);
  if (!contact) throw notFoundIn('Contact');
  if (contact.locationId !== grant.locationId) throw noLocationAccess();
  return contact;
}
