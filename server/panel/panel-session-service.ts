import { z } from 'zod';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { InstallationRepository, LocationInstallation } from '../db/repositories/installation-repository';
import type { LocationSettingsRepository } from '../db/repositories/location-settings-repository';
import type { GhlClient } from '../integrations/ghl/ghl-client';
import { decryptSsoPayload, SsoPayloadError } from '../security/sso-crypto';
import { DEFAULT_TIMEZONE } from '../sync/sync-settings';
import { issuePanelToken, type PanelSession } from '../http/panel-auth';
import type { SessionLocation, SessionResponse } from '../../shared/contracts/session';

/**
 * GHL's decrypted user context (ghl-platform.md §3.1): agency context has userId, companyId, role, type,
 * userName, email; a sub-account context adds `activeLocation`. The doc's own location example says
 * `type: "agency"`, so `activeLocation` alone decides which location this is.
 */
const SsoContextSchema = z.object({
  userId: z.string().min(1),
  companyId: z.string().nullish(),
  role: z.string().nullish(),
  type: z.string().nullish(),
  userName: z.string().nullish(),
  email: z.string().nullish(),
  activeLocation: z.string().nullish(),
});

const invalidPayload = () =>
  new AppError(401, 'unauthorized', 'The GoHighLevel user context could not be read; reopen the app from GoHighLevel');
const notInstalled = () =>
  new AppError(401, 'not_installed', 'This app is not installed for this sub-account; install it from the marketplace');

/** Refuses a location the app is not (or no longer) installed in; 401 `not_installed`. */
export function assertInstalled(location: LocationInstallation | undefined): asserts location is LocationInstallation {
  if (!location || location.status === 'uninstalled') throw notInstalled();
}

/** Turns GHL's encrypted SSO context into a panel session for one user and one installed location. */
export class PanelSessionService {
  constructor(
    private readonly deps: {
      ssoKey: string;
      sessionSecret: string;
      installations: InstallationRepository;
      settings: LocationSettingsRepository;
      ghl: GhlClient;
      logger: Logger;
      clock?: () => number;
    },
  ) {}

  async createSession(ssoPayload: string): Promise<SessionResponse> {
    const now = (this.deps.clock ?? Date.now)();
    let decrypted: unknown;
    try {
      decrypted = decryptSsoPayload(ssoPayload, this.deps.ssoKey);
    } catch (err) {
      if (err instanceof SsoPayloadError) throw invalidPayload();
      throw err;
    }
    const context = SsoContextSchema.safeParse(decrypted);
    if (!context.success) throw invalidPayload();
    const { userId, companyId, role, userName, email, activeLocation } = context.data;
    if (!activeLocation) {
      throw new AppError(401, 'agency_context', 'Open this inside a sub-account: the app works on one sub-account at a time');
    }

    let location = await this.deps.installations.getLocation(activeLocation);
    assertInstalled(location);
    // The SSO key is the app's, shared by every agency: an agency's user must not open another agency's location.
    if (companyId && location.companyId && companyId !== location.companyId) {
      this.deps.logger.warn({ locationId: activeLocation }, 'SSO context company differs from the installation');
      throw notInstalled();
    }
    location = await this.fillDetails(location, now);

    const session: PanelSession = {
      userId,
      locationId: location.locationId,
      role: role === 'admin' ? 'admin' : 'user',
      name: userName?.trim() || email || userId,
      email: email ?? '',
    };
    const { token, expiresAt } = issuePanelToken(session, this.deps.sessionSecret, now);
    return {
      token,
      expiresAt: new Date(expiresAt).toISOString(),
      user: { id: session.userId, name: session.name, email: session.email, role: session.role },
      location: await this.describeLocation(location),
    };
  }

  /** The location as the panel shows it; the settings' time zone override wins over GHL's. */
  async describeLocation(location: LocationInstallation): Promise<SessionLocation> {
    const settings = await this.deps.settings.get(location.locationId);
    const described: SessionLocation = {
      id: location.locationId,
      name: location.name ?? location.locationId,
      timezone: settings.defaults.timezone ?? location.timezone ?? DEFAULT_TIMEZONE,
      status: location.status,
    };
    if (location.statusReason) described.statusReason = location.statusReason;
    return described;
  }

  /**
   * Installs made from a Company token may not know the location's name and time zone yet; fetch them once.
   * Best effort: the session works without them (the time zone falls back to Asia/Jerusalem).
   */
  private async fillDetails(location: LocationInstallation, now: number): Promise<LocationInstallation> {
    if ((location.name && location.timezone) || location.status !== 'active') return location;
    try {
      const ghlLocation = await this.deps.ghl.getLocation(location.locationId);
      const details = { name: ghlLocation.name ?? null, timezone: ghlLocation.timezone ?? null };
      await this.deps.installations.updateLocationDetails(location.locationId, details, now);
      return { ...location, name: location.name ?? details.name, timezone: location.timezone ?? details.timezone };
    } catch (err) {
      this.deps.logger.warn({ err, locationId: location.locationId }, 'could not read the location details from GHL');
      return location;
    }
  }
}
