import { Router } from 'express';
import { ContactParamsSchema } from '../../shared/contracts/common';
import { TagsInputSchema } from '../../shared/contracts/tags';
import type { PanelRecordsService } from '../panel/panel-records-service';
import { sendIdempotent, type IdempotencyService } from './idempotency';
import { panelSessionOf } from './panel-auth';
import { parseBody, parseRequestPart } from './validate-input';

/** POST (add, 201) and DELETE (remove, 200) /api/contacts/:contactId/tags with `{tags}`; both answer the tags after. */
export function tagsRoutes(records: PanelRecordsService, idempotency: IdempotencyService): Router {
  const router = Router();

  router.post('/contacts/:contactId/tags', async (req, res) => {
    const session = panelSessionOf(req);
    const { contactId } = parseRequestPart(ContactParamsSchema, req.params);
    const { tags } = parseBody(TagsInputSchema, req.body);
    await sendIdempotent(idempotency, req, res, session.locationId, async () => ({
      status: 201,
      body: { data: await records.addTags(session, contactId, tags) },
    }));
  });

  router.delete('/contacts/:contactId/tags', async (req, res) => {
    const session = panelSessionOf(req);
    const { contactId } = parseRequestPart(ContactParamsSchema, req.params);
    const { tags } = parseBody(TagsInputSchema, req.body);
    await sendIdempotent(idempotency, req, res, session.locationId, async () => ({
      status: 200,
      body: { data: await records.removeTags(session, contactId, tags) },
    }));
  });

  return router;
}
