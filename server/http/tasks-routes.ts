import { Router } from 'express';
import { ContactParamsSchema } from '../../shared/contracts/common';
import { CompleteTaskInputSchema, CreateTaskInputSchema, TaskParamsSchema } from '../../shared/contracts/tasks';
import type { PanelRecordsService } from '../panel/panel-records-service';
import { sendIdempotent, type IdempotencyService } from './idempotency';
import { panelSessionOf } from './panel-auth';
import { parseBody, parseRequestPart } from './validate-input';

/**
 * GET, POST /api/contacts/:contactId/tasks and PUT …/tasks/:taskId/completed. The task id is only ever used
 * under a contact that passed the location check.
 */
export function tasksRoutes(records: PanelRecordsService, idempotency: IdempotencyService): Router {
  const router = Router();

  router.get('/contacts/:contactId/tasks', async (req, res) => {
    const { locationId } = panelSessionOf(req);
    const { contactId } = parseRequestPart(ContactParamsSchema, req.params);
    res.json({ data: await records.listTasks(locationId, contactId) });
  });

  router.post('/contacts/:contactId/tasks', async (req, res) => {
    const session = panelSessionOf(req);
    const { contactId } = parseRequestPart(ContactParamsSchema, req.params);
    const input = parseBody(CreateTaskInputSchema, req.body);
    await sendIdempotent(idempotency, req, res, session.locationId, async () => ({
      status: 201,
      body: { data: await records.createTask(session, contactId, input) },
    }));
  });

  router.put('/contacts/:contactId/tasks/:taskId/completed', async (req, res) => {
    const session = panelSessionOf(req);
    const { contactId, taskId } = parseRequestPart(TaskParamsSchema, req.params);
    const input = parseBody(CompleteTaskInputSchema, req.body);
    await sendIdempotent(idempotency, req, res, session.locationId, async () => ({
      status: 200,
      body: { data: await records.setTaskCompleted(session, contactId, taskId, input.completed) },
    }));
  });

  return router;
}
