import { Router } from 'express';
import { ContactParamsSchema } from '../../shared/contracts/common';
import { CreateNoteInputSchema } from '../../shared/contracts/notes';
import type { PanelRecordsService } from '../panel/panel-records-service';
import { sendIdempotent, type IdempotencyService } from './idempotency';
import { panelSessionOf } from './panel-auth';
import { parseBody, parseRequestPart } from './validate-input';

/** GET, POST /api/contacts/:contactId/notes. A create reaches GHL before the 201 and honours Idempotency-Key. */
export function notesRoutes(records: PanelRecordsService, idempotency: IdempotencyService): Router {
  const router = Router();

  router.get('/contacts/:contactId/notes', async (req, res) => {
    const { locationId } = panelSessionOf(req);
    const { contactId } = parseRequestPart(ContactParamsSchema, req.params);
    res.json({ data: await records.listNotes(locationId, contactId) });
  });

  router.post('/contacts/:contactId/notes', async (req, res) => {
    const session = panelSessionOf(req);
    const { contactId } = parseRequestPart(ContactParamsSchema, req.params);
    const input = parseBody(CreateNoteInputSchema, req.body);
    await sendIdempotent(idempotency, req, res, session.locationId, async () => ({
      status: 201,
      body: { data: await records.createNote(session, contactId, input) },
    }));
  });

  return router;
}
