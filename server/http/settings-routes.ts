import { Router } from 'express';
import {
  RegisterWebhooksInputSchema,
  ResponderTestInputSchema,
  RotateKeyInputSchema,
  UpdateSettingsInputSchema,
} from '../../shared/contracts/settings';
import { RuleTestInputSchema } from '../../shared/contracts/rules';
import type { PanelSettingsService } from '../panel/panel-settings-service';
import { sendIdempotent, type IdempotencyService } from './idempotency';
import { panelSessionOf, requireAdmin } from './panel-auth';
import { parseBody } from './validate-input';

/**
 * GET /api/settings (any role), PUT /api/settings, POST /api/settings/responder/{test,register-webhooks,
 * rotate-key} and POST /api/settings/rules/test (admins only, 403 otherwise). Credentials go in, never out (`hasSecret`).
 */
export function settingsRoutes(settings: PanelSettingsService, idempotency: IdempotencyService): Router {
  const router = Router();

  router.get('/settings', async (req, res) => {
    const { locationId } = panelSessionOf(req);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ data: await settings.get(locationId) });
  });

  router.put('/settings', requireAdmin, async (req, res) => {
    const { locationId, userId } = panelSessionOf(req);
    const input = parseBody(UpdateSettingsInputSchema, req.body);
    await sendIdempotent(idempotency, req, res, locationId, async () => ({
      status: 200,
      body: { data: await settings.update(locationId, userId, input) },
    }));
  });

  router.post('/settings/responder/test', requireAdmin, async (req, res) => {
    const { locationId } = panelSessionOf(req);
    const input = parseBody(ResponderTestInputSchema, req.body);
    res.json({ data: await settings.testConnection(locationId, input.credentials) });
  });

  router.post('/settings/responder/register-webhooks', requireAdmin, async (req, res) => {
    const { locationId } = panelSessionOf(req);
    const input = parseBody(RegisterWebhooksInputSchema, req.body);
    await sendIdempotent(idempotency, req, res, locationId, async () => ({
      status: 200,
      body: { data: await settings.registerWebhooks(locationId, input.listIds) },
    }));
  });

  router.post('/settings/rules/test', requireAdmin, async (req, res) => {
    const { locationId } = panelSessionOf(req);
    const input = parseBody(RuleTestInputSchema, req.body);
    res.json({ data: await settings.testRule(locationId, input) });
  });

  router.post('/settings/responder/rotate-key', requireAdmin, async (req, res) => {
    const { locationId } = panelSessionOf(req);
    parseBody(RotateKeyInputSchema, req.body);
    await sendIdempotent(idempotency, req, res, locationId, async () => ({
      status: 200,
      body: { data: await settings.rotateKey(locationId) },
    }));
  });

  return router;
}
