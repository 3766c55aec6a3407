import { Router } from 'express';
import { ContactParamsSchema } from '../../shared/contracts/common';
import { ContactSearchQuerySchema } from '../../shared/contracts/contacts';
import type { PanelContactsService } from '../panel/panel-contacts-service';
import { panelSessionOf } from './panel-auth';
import { parseRequestPart } from './validate-input';

/** GET /api/contacts?query=&limit= (search) and GET /api/contacts/:contactId (summary), SPEC §2. */
export function contactsRoutes(contacts: PanelContactsService): Router {
  const router = Router();

  router.get('/contacts', async (req, res) => {
    const { locationId } = panelSessionOf(req);
    const query = parseRequestPart(ContactSearchQuerySchema, req.query);
    res.json({ data: await contacts.search(locationId, query.query, query.limit) });
  });

  router.get('/contacts/:contactId', async (req, res) => {
    const { locationId } = panelSessionOf(req);
    const { contactId } = parseRequestPart(ContactParamsSchema, req.params);
    res.json({ data: await contacts.summary(locationId, contactId) });
  });

  return router;
}
