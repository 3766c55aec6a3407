import { Router } from 'express';
import { ContactParamsSchema } from '../../shared/contracts/common';
import type { PanelRecordsService } from '../panel/panel-records-service';
import { panelSessionOf } from './panel-auth';
import { parseRequestPart } from './validate-input';

/** GET /api/contacts/:contactId/appointments, by start time ascending. */
export function appointmentsRoutes(records: PanelRecordsService): Router {
  const router = Router();
  router.get('/contacts/:contactId/appointments', async (req, res) => {
    const { locationId } = panelSessionOf(req);
    const { contactId } = parseRequestPart(ContactParamsSchema, req.params);
    res.json({ data: await records.listAppointments(locationId, contactId) });
  });
  return router;
}
