import { createHash } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { accessibleLocation, grantOf } from './simulator-api-guard';
import type { SimContext } from './simulator-context';
import { noLocationAccess, notFoundIn, parseDto } from './simulator-http';
import type { SimLocation, SimUser } from './simulator-entities';

/** `UserSchema` of apps/users.json. */
function userView(user: SimUser): Record<string, unknown> {
  return {
    id: user.id,
    name: `${user.firstName} ${user.lastName}`.trim(),
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    phone: '',
    extension: '',
    roles: { type: 'account', role: user.role, locationIds: [...user.locationIds], restrictSubAccount: false },
    deleted: false,
  };
}

/** `GetLocationByIdSchema` of apps/locations.json. */
function locationView(location: SimLocation): Record<string, unknown> {
  return {
    id: location.id,
    companyId: location.companyId,
    name: location.name,
    address: location.address,
    country: location.country,
    timezone: location.timezone,
    business: { name: location.name, address: location.address, country: location.country, timezone: location.timezone },
    settings: {
      allowDuplicateContact: location.allowDuplicateContact,
      allowDuplicateOpportunity: false,
      allowFacebookNameMerge: false,
      disableContactTimezone: false,
    },
  };
}

/** `GET /users/?locationId=`, `GET /users/:userId`, `GET /locations/:locationId` and its `/tags`. */
export function directoryRoutes(ctx: SimContext): Router {
  const router = Router();

  router.get('/users', (req, res) => {
    const { locationId } = parseDto(z.object({ locationId: z.string().min(1) }), req.query);
    const location = accessibleLocation(ctx, res, locationId);
    res.json({ users: ctx.state.usersOf(location.id).map(userView) });
  });

  router.get('/users/:userId', (req, res) => {
    const user = ctx.state.users.get(req.params.userId);
    if (!user) throw notFoundIn('User');
    const grant = grantOf(res);
    const visible =
      grant.userType === 'Location' ? user.locationIds.includes(grant.locationId ?? '') : user.companyId === grant.companyId;
    if (!visible) throw noLocationAccess();
    res.json(userView(user));
  });

  // GHL keeps a location's tag list from every tag put on its contacts (apps/locations.json get-location-tags).
  router.get('/locations/:locationId/tags', (req, res) => {
    const location = accessibleLocation(ctx, res, req.params.locationId);
    const names = new Map<string, string>();
    for (const contact of ctx.state.contactsOf(location.id)) {
      for (const tag of contact.tags) if (!names.has(tag.toLowerCase())) names.set(tag.toLowerCase(), tag);
    }
    const tags = [...names.values()].sort().map((name) => ({ id: createHash('sha1').update(name).digest('hex').slice(0, 20), name, locationId: location.id }));
    res.json({ tags });
  });

  router.get('/locations/:locationId', (req, res) => {
    res.json({ location: locationView(accessibleLocation(ctx, res, req.params.locationId)) });
  });

  return router;
}
