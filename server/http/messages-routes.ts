import { Router } from 'express';
import { ContactParamsSchema } from '../../shared/contracts/common';
import { MessageQuerySchema } from '../../shared/contracts/messages';
import type { PanelContactsService } from '../panel/panel-contacts-service';
import { panelSessionOf } from './panel-auth';
import { parseRequestPart } from './validate-input';

/** GET /api/contacts/:contactId/messages?cursor=&limit=&q=&channel=: Responder Live history, newest first. */
export function messagesRoutes(contacts: PanelContactsService): Router {
  const router = Router();
  router.get('/contacts/:contactId/messages', async (req, res) => {
    const { locationId } = panelSessionOf(req);
    const { contactId } = parseRequestPart(ContactParamsSchema, req.params);
    const query = parseRequestPart(MessageQuerySchema, req.query);
    res.json({ data: await contacts.messagePage(locationId, contactId, query) });
  });
  return router;
}
