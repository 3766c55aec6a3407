import { z } from 'zod';
import type { Config } from '../config';
import type { InboxRepository } from '../db/repositories/inbox-repository';
import type { InstallationRepository } from '../db/repositories/installation-repository';
import type { GhlOAuthClient } from '../integrations/ghl/ghl-oauth-client';
import type { EventHandler, HandlerContext, HandlerResult } from '../jobs/inbox-worker';
import type { Logger } from '../logger';
import { InstallService } from '../oauth/install-service';
import type { TokenService } from '../oauth/token-service';

export interface InstallHandlerDeps {
  installations: InstallationRepository;
  inbox: Pick<InboxRepository, 'cancelPendingForLocation'>;
  install: Pick<InstallService, 'connectLocationFromCompany'>;
  now?: () => number;
}

// AppInstall.json / AppUninstall.json: a location install carries locationId (and companyId), an agency-level
// one companyId only; "via future locations, you may not get [userId/companyId]" (ghl-platform.md §2.2).
const LifecyclePayload = z.looseObject({
  type: z.enum(['INSTALL', 'UNINSTALL']),
  locationId: z.string().min(1).optional(),
  companyId: z.string().min(1).optional(),
  userId: z.string().optional(),
  companyName: z.string().optional(),
});

function parse(ctx: HandlerContext): z.infer<typeof LifecyclePayload> | undefined {
  const parsed = LifecyclePayload.safeParse(ctx.payload);
  if (!parsed.success || (!parsed.data.locationId && !parsed.data.companyId)) return undefined;
  return parsed.data;
}

/**
 * INSTALL creates or confirms the installation, whichever of it and the OAuth callback comes first:
 * - location already holding a token → confirmed, nothing changes;
 * - location without one but its company's token is stored (bulk install, reinstall) → a Location token is
 *   minted from the company token and stored;
 * - no token anywhere yet (the callback has not arrived) → the location (or agency) is recorded as
 *   `needs_reconnect` / `awaiting_authorization`; the callback turns it `active` when it stores the tokens.
 */
export async function handleInstall(deps: InstallHandlerDeps, ctx: HandlerContext): Promise<HandlerResult> {
  const now = deps.now ?? Date.now;
  const p = parse(ctx);
  if (!p) return { status: 'ignored', summary: { reason: 'INSTALL without locationId or companyId' } };

  if (p.locationId) {
    const location = await deps.installations.getLocation(p.locationId);
    const companyId = p.companyId ?? location?.companyId ?? null;
    if (location?.status === 'active' && location.tokens) {
      if (companyId && !location.companyId) {
        await deps.installations.updateLocationDetails(p.locationId, { companyId }, now());
      }
      return { summary: { outcome: 'confirmed', locationId: p.locationId } };
    }
    if (companyId) {
      const company = await deps.installations.getCompany(companyId);
      if (company?.status === 'active' && company.tokens) {
        await deps.install.connectLocationFromCompany(companyId, p.locationId, { installedByUserId: p.userId ?? null });
        ctx.log.info({ locationId: p.locationId, companyId }, 'INSTALL: location token minted from the company token');
        return { summary: { outcome: 'minted_from_company', locationId: p.locationId, companyId } };
      }
    }
    await deps.installations.recordPendingLocationInstall({
      locationId: p.locationId,
      companyId,
      installedByUserId: p.userId ?? null,
      now: now(),
    });
    return { summary: { outcome: 'awaiting_authorization', locationId: p.locationId } };
  }

  const companyId = p.companyId!;
  const company = await deps.installations.getCompany(companyId);
  if (company?.status === 'active' && company.tokens) return { summary: { outcome: 'confirmed', companyId } };
  await deps.installations.recordPendingCompanyInstall({
    companyId,
    name: p.companyName ?? null,
    installedByUserId: p.userId ?? null,
    now: now(),
  });
  return { summary: { outcome: 'awaiting_authorization', companyId } };
}

/**
 * UNINSTALL deletes the tokens, marks the location (or the agency and all its locations) `uninstalled` and
 * cancels their pending work; messages and the activity log stay. An UNINSTALL received before a later
 * reinstall changes nothing (the inbox may run it after the reinstall's callback).
 */
export async function handleUninstall(deps: InstallHandlerDeps, ctx: HandlerContext): Promise<HandlerResult> {
  const now = deps.now ?? Date.now;
  const p = parse(ctx);
  if (!p) return { status: 'ignored', summary: { reason: 'UNINSTALL without locationId or companyId' } };
  const receivedAt = ctx.event.received_at;

  if (p.locationId) {
    const location = await deps.installations.getLocation(p.locationId);
    if (location && location.installedAt > receivedAt) {
      return { summary: { outcome: 'stale_reinstalled_since', locationId: p.locationId } };
    }
    await deps.installations.uninstallLocation(p.locationId, now(), receivedAt);
    const cancelled = await deps.inbox.cancelPendingForLocation(p.locationId, now());
    ctx.log.info({ locationId: p.locationId, cancelled }, 'UNINSTALL: location uninstalled');
    return { summary: { outcome: 'uninstalled', locationId: p.locationId, cancelled } };
  }

  const companyId = p.companyId!;
  const locationIds = await deps.installations.uninstallCompany(companyId, now(), receivedAt);
  let cancelled = 0;
  for (const id of locationIds) cancelled += await deps.inbox.cancelPendingForLocation(id, now());
  ctx.log.info({ companyId, locations: locationIds.length, cancelled }, 'UNINSTALL: agency uninstalled');
  return { summary: { outcome: 'uninstalled', companyId, locations: locationIds, cancelled } };
}

/** The INSTALL and UNINSTALL handlers for the inbox worker, built from the app's shared deps. */
export function ghlInstallHandlers(deps: {
  config: Config;
  logger: Logger;
  installations: InstallationRepository;
  tokens: TokenService;
  oauth: GhlOAuthClient;
  inbox: Pick<InboxRepository, 'cancelPendingForLocation'>;
  now?: () => number;
}): Record<'INSTALL' | 'UNINSTALL', EventHandler> {
  const handlerDeps: InstallHandlerDeps = {
    installations: deps.installations,
    inbox: deps.inbox,
    install: new InstallService({
      installations: deps.installations,
      tokens: deps.tokens,
      oauth: deps.oauth,
      appId: deps.config.ghl.appId,
      logger: deps.logger,
      ...(deps.now ? { now: deps.now } : {}),
    }),
    ...(deps.now ? { now: deps.now } : {}),
  };
  return {
    INSTALL: (ctx) => handleInstall(handlerDeps, ctx),
    UNINSTALL: (ctx) => handleUninstall(handlerDeps, ctx),
  };
}
