import { Router } from 'express';
import { SessionRequestSchema } from '../../shared/contracts/session';
import type { PanelSessionService } from '../panel/panel-session-service';
import { unauthorized } from '../errors';

/**
 * POST /api/session `{ssoPayload}` → `{data:{token, expiresAt, user, location}}`. Anything that does not decrypt
 * to a sub-account context of an installed location is 401 (SPEC §2); a location needing reconnect still gets
 * a session so the panel can show the banner.
 */
export function sessionRoute(sessions: PanelSessionService): Router {
  const router = Router();
  router.post('/session', async (req, res) => {
    // A missing or oversized payload is the same failure as one that does not decrypt: 401, nothing more said.
    const body = SessionRequestSchema.safeParse(req.body ?? {});
    if (!body.success) throw unauthorized('An SSO payload from GoHighLevel is required');
    const { ssoPayload } = body.data;
    res.setHeader('Cache-Control', 'no-store');
    res.json({ data: await sessions.createSession(ssoPayload) });
  });
  return router;
}
