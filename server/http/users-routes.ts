import { Router } from 'express';
import type { PanelContactsService } from '../panel/panel-contacts-service';
import { panelSessionOf } from './panel-auth';

/** GET /api/users (the task assignee picker) and GET /api/tags (tag suggestions) of the session's location. */
export function usersRoutes(contacts: PanelContactsService): Router {
  const router = Router();
  router.get('/users', async (req, res) => {
    const { locationId } = panelSessionOf(req);
    res.json({ data: await contacts.users(locationId) });
  });
  router.get('/tags', async (req, res) => {
    const { locationId } = panelSessionOf(req);
    res.json({ data: await contacts.locationTags(locationId) });
  });
  return router;
}
