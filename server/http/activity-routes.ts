import { Router } from 'express';
import { ActivityParamsSchema, ActivityQuerySchema } from '../../shared/contracts/activity';
import type { PanelActivityService } from '../panel/panel-activity-service';
import { sendIdempotent, type IdempotencyService } from './idempotency';
import { panelSessionOf } from './panel-auth';
import { parseRequestPart } from './validate-input';

/** GET /api/activity?status=&contactId=&cursor=&limit= and POST /api/activity/:id/replay (→ 202). */
export function activityRoutes(activity: PanelActivityService, idempotency: IdempotencyService): Router {
  const router = Router();

  router.get('/activity', async (req, res) => {
    const { locationId } = panelSessionOf(req);
    const query = parseRequestPart(ActivityQuerySchema, req.query);
    res.json({ data: await activity.list(locationId, query) });
  });

  router.post('/activity/:id/replay', async (req, res) => {
    const { locationId } = panelSessionOf(req);
    const { id } = parseRequestPart(ActivityParamsSchema, req.params);
    await sendIdempotent(idempotency, req, res, locationId, async () => ({
      status: 202,
      body: { data: await activity.replay(locationId, id) },
    }));
  });

  return router;
}
