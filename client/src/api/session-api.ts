import { panelRoutes } from '../../../shared/contracts/panel-routes';
import type { SessionResponse } from '../../../shared/contracts/session';
import { sendRequest } from './http-core';

/** Exchanges GHL's encrypted user context for a panel session (`POST /api/session`). */
export function createSession(ssoPayload: string): Promise<SessionResponse> {
  return sendRequest(panelRoutes.createSession, { body: { ssoPayload } }, null);
}
