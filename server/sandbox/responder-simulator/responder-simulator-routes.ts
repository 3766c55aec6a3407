import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { ResponderSimState, SimSubscriber, SimWebhook } from './responder-simulator-state';

/** What the simulator needs from its host: credentials, clock, token store, faults and the request log. */
export interface SimContext {
  state: ResponderSimState;
  credentials: { clientId: string; clientSecret: string; userToken: string };
  tokenTtlSeconds: number;
  /** Field name of the token in the token answer: the real server says `token` (§1.2). */
  tokenField: 'token' | 'access_token';
  accountId: number;
  now: () => number;
  tokens: Map<string, number>;
}

/** The `/v2` API of Responder Live as far as responder-live.md §1.2–1.3 documents it. */
export function simulatorRoutes(ctx: SimContext): Router {
  const r = express.Router();
  const { state } = ctx;

  r.post('/oauth/token', (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const { clientId, clientSecret, userToken } = ctx.credentials;
    // A numeric client id must arrive as a JSON number: a string id is refused (§1.2).
    const idMatches = /^\d+$/.test(clientId) ? b.client_id === Number(clientId) : b.client_id === clientId;
    if (b.grant_type !== 'client_credentials' || !idMatches || b.client_secret !== clientSecret || b.user_token !== userToken) {
      res.status(401).json({ status: false, error: 'Invalid credentials' });
      return;
    }
    const token = `sim.${randomBytes(24).toString('base64url')}`;
    const expire = Math.floor(ctx.now() / 1000) + ctx.tokenTtlSeconds;
    ctx.tokens.set(token, expire * 1000);
    res.json({ status: true, [ctx.tokenField]: token, expire, account_id: ctx.accountId, id: 1, username: 'sandbox', name: 'Sandbox' });
  });

  r.use((req, res, next) => {
    const match = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    const expiresAt = match ? ctx.tokens.get(match[1]!) : undefined;
    if (expiresAt === undefined || expiresAt <= ctx.now()) {
      res.status(401).json({ status: false, error: 'Unauthorized' });
      return;
    }
    next();
  });

  r.get('/lists', (_req, res) => {
    res.json({
      data: [...state.lists.values()].map((l) => ({ id: l.id, name: l.name, created: l.created, is_dynamic: l.dynamic ? 1 : 0 })),
    });
  });

  r.get('/lists/:id', (req, res) => {
    const list = state.lists.get(Number(req.params.id));
    if (!list) return notFound(res, 'List');
    res.json({ id: list.id, name: list.name, created: list.created, is_dynamic: list.dynamic ? 1 : 0 });
  });

  r.get('/lists/:id/fields', (req, res) => {
    const list = state.lists.get(Number(req.params.id));
    if (!list) return notFound(res, 'List');
    res.json({ personal_fields: list.fields, all_lists_personal_fields: [] });
  });

  r.get('/lists/:id/subscribers', (req, res) => {
    const listId = Number(req.params.id);
    if (!state.lists.has(listId)) return notFound(res, 'List');
    const rows = [...state.subscribers.values()].filter((s) => s.lists[listId]).map(present);
    res.json({ data: rows, total: rows.length });
  });

  r.put('/lists/:listId/subscribers/:id', (req, res) => {
    const listId = Number(req.params.listId);
    const subscriber = state.subscribers.get(Number(req.params.id));
    if (!subscriber || !state.lists.has(listId)) return notFound(res, 'Subscriber');
    const inactive = (req.body as { inactive?: unknown } | undefined)?.inactive;
    const membership = (subscriber.lists[listId] ??= { inactive: false, joined: state.stamp() });
    if (typeof inactive === 'boolean') membership.inactive = inactive;
    res.json({ status: true });
  });

  r.post('/subscribers', (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const outcome = state.createSubscriber(b.list_ids, b, b.override === true);
    if (outcome.kind === 'error') {
      res.json({ status: false, error: outcome.error });
      return;
    }
    if (outcome.kind === 'duplicate') res.json({ duplicate: true, createdId: outcome.subscriber.id });
    else res.json({ status: true, createdId: outcome.subscriber.id });
  });

  r.put('/subscribers/:id', (req, res) => {
    const subscriber = state.subscribers.get(Number(req.params.id));
    if (!subscriber) return notFound(res, 'Subscriber');
    state.applyFields(subscriber, (req.body ?? {}) as Record<string, unknown>);
    res.json({ status: true });
  });

  // v2 wants search parameters in the query string even on POST (rav_meser_v2 gem, §1.3).
  const search = (req: Request, res: Response) => {
    const listId = req.query.listId === undefined ? undefined : Number(req.query.listId);
    const rows = state.search(String(req.query.searchKey ?? ''), listId).map(present);
    res.json({ data: rows });
  };
  r.post('/subscribers/search', search);
  r.get('/subscribers/search', search);

  r.get('/tag', (_req, res) => {
    res.json({ data: [...state.tags].map(([id, name]) => ({ id, name })) });
  });

  r.post('/tags/subscribers', (req, res) => {
    const name = (req.body as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string' || name.trim() === '') {
      res.json({ status: false, error: 'name is required' });
      return;
    }
    res.json({ status: true, createdId: state.createTag(name.trim()) });
  });

  r.get('/webhooks', (req, res) => {
    const listId = req.query.list_id === undefined ? undefined : Number(req.query.list_id);
    res.json({ data: [...state.webhooks.values()].filter((w) => listId === undefined || w.list_id === listId) });
  });

  r.post('/webhooks', (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const listId = Number(b.list_id);
    if (!state.lists.has(listId)) {
      res.json({ status: false, error: `List ${String(b.list_id)} not found` });
      return;
    }
    if (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url)) {
      res.json({ status: false, error: 'invalid url' });
      return;
    }
    const hook: SimWebhook = {
      id: state.id(),
      list_id: listId,
      url: b.url,
      name: typeof b.name === 'string' ? b.name : '',
      events: Array.isArray(b.events) ? b.events.map(Number) : [1, 2, 5],
      webhooks_send_type_id: Number(b.webhooks_send_type_id ?? 2),
      merges: isStringRecord(b.merges) ? b.merges : { email: 'email', phone: 'phone', name: 'name' },
    };
    state.webhooks.set(hook.id, hook);
    res.json({ status: true, createdId: hook.id });
  });

  r.delete('/webhooks/:id', (req, res) => {
    if (!state.webhooks.delete(Number(req.params.id))) return notFound(res, 'Webhook');
    res.json({ status: true });
  });

  return r;
}

/** A subscriber as v2 lists it (§1.3 "Subscribers of a list"). */
export function present(s: SimSubscriber): Record<string, unknown> {
  return {
    id: s.id,
    email: s.email,
    phone: s.phone,
    first: s.first,
    last: s.last,
    name: s.name,
    created: s.created,
    personal_fields: s.personal_fields,
    tags: s.tags,
  };
}

function notFound(res: Response, what: string): void {
  res.status(404).json({ status: false, error: `${what} not found` });
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string');
}
