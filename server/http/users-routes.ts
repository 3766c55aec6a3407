import { Router } from 'express';
import type { PanelContactsService } from '../panel/panel-contacts-service';
import { panelSessionOf } from './panel-auth';

/** GET /api/users: the session location's users, for the task assignee picker. */
export function usersRoutes(contacts: PanelContactsService): Router {
  const router = Router();
  router.get('/users', async (req, res) => {
    const { locationId } = panelSessionOf(req);
    res.json({ data: await contacts.users(locationId) });
  });
  return router;
}
