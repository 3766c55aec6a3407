import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { simulatorRoutes, type SimContext } from './responder-simulator-routes';
import { ResponderSimState, type SimField, type SimList, type SimSubscriber, type SimWebhook } from './responder-simulator-state';

export interface ResponderSimulatorOptions {
  clientId: string;
  clientSecret: string;
  userToken: string;
  tokenTtlSeconds?: number;
  /** `token` like the real server (default), or `access_token` like its docs, to exercise clients (§1.2). */
  tokenField?: 'token' | 'access_token';
  accountId?: number;
  now?: () => number;
}

export interface RecordedRequest {
  method: string;
  /** Relative to the simulator's mount point, e.g. `/v2/lists`. */
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status: number;
  userAgent: string | undefined;
}

export interface SendWebhookOptions {
  format?: 'json' | 'form';
  /** The user's field mapping ("התאמת שדות"): outgoing key names, e.g. `{ email: 'אימייל', phone: 'טלפון' }`. */
  keyMap?: Record<string, string>;
  /** Responder's trigger id, added to the body as `event` (renamable through keyMap). */
  event?: 1 | 2 | 5;
  /** Fire twice, as Responder does when a subscriber re-joins and updates at once (§1.3.3). */
  duplicate?: boolean;
}

export interface WebhookDelivery {
  status: number;
  body: unknown;
}

export interface ResponderSimulator {
  /** Express app serving `/v2/...`; mount it (e.g. at /sandbox-responder) or call listen(). */
  app: Express;
  /** Listens on 127.0.0.1 at an ephemeral port; `url` has no `/v2` (the client's base URL is `${url}/v2`). */
  listen(): Promise<{ url: string; close(): Promise<void> }>;
  addList(input: { id?: number; name: string; dynamic?: boolean; fields?: SimField[] }): SimList;
  subscribers(): SimSubscriber[];
  webhooks(): SimWebhook[];
  tags(): { id: number; name: string }[];
  readonly requests: RecordedRequest[];
  setFaults(faults: { errorRate?: number; latencyMs?: number; status?: number }): void;
  /** The next `count` calls (to `path`, e.g. `/v2/lists`, when given; else any, the token endpoint included) answer `status`. */
  failNext(fault: { status: number; count?: number; path?: string; body?: unknown; headers?: Record<string, string> }): void;
  /** Every issued token stops working at once (the client must re-authenticate on 401). */
  expireTokens(): void;
  /** Posts a flat webhook payload the way a Responder list webhook or automation step does. */
  sendWebhook(url: string, data: Record<string, unknown>, options?: SendWebhookOptions): Promise<WebhookDelivery[]>;
  /** Fires the list webhooks registered for the subscriber's lists that subscribe to `event` (1 new, 2 updated, 5 re-joined). */
  fireListEvent(subscriberId: number, event: 1 | 2 | 5): Promise<WebhookDelivery[]>;
}

/** A local Responder Live (API v2 + outgoing webhooks) for sandbox mode and tests. */
export function createResponderSimulator(options: ResponderSimulatorOptions): ResponderSimulator {
  const now = options.now ?? Date.now;
  const state = new ResponderSimState(now);
  const requests: RecordedRequest[] = [];
  const faults = { errorRate: 0, latencyMs: 0, status: 500 };
  const queued: { status: number; path?: string; body?: unknown; headers?: Record<string, string> }[] = [];
  const ctx: SimContext = {
    state,
    credentials: { clientId: options.clientId, clientSecret: options.clientSecret, userToken: options.userToken },
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    tokenField: options.tokenField ?? 'token',
    accountId: options.accountId ?? 1000047,
    now,
    tokens: new Map(),
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));
  app.use(express.urlencoded({ extended: false }));
  app.use((req, res, next) => {
    const entry: RecordedRequest = {
      method: req.method,
      path: req.path,
      query: { ...req.query },
      body: req.body,
      status: 0,
      userAgent: req.get('user-agent'),
    };
    requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    next();
  });
  app.use((req, res, next) => {
    // v2 sits behind a firewall that refuses requests without a User-Agent (§1.2).
    if (!req.get('user-agent')) {
      res.status(401).json({ status: false, error: 'Request blocked: missing User-Agent' });
      return;
    }
    next();
  });
  app.use(async (req, res, next) => {
    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    const index = queued.findIndex((f) => f.path === undefined || f.path === req.path);
    const fault =
      index >= 0
        ? queued.splice(index, 1)[0]
        : faults.errorRate > 0 && Math.random() < faults.errorRate
          ? { status: faults.status }
          : undefined;
    if (fault) {
      if (fault.headers) res.set(fault.headers);
      res.status(fault.status).json(fault.body ?? { status: false, error: 'Simulated failure' });
      return;
    }
    next();
  });
  app.use('/v2', simulatorRoutes(ctx));

  const post = async (url: string, payload: Record<string, unknown>, format: 'json' | 'form'): Promise<WebhookDelivery> => {
    const body = format === 'json' ? JSON.stringify(payload) : toForm(payload);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
        'user-agent': 'ResponderLive-Webhook-Simulator/1.0',
      },
      body,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: keep the text.
    }
    return { status: res.status, body: parsed };
  };

  const sendWebhook: ResponderSimulator['sendWebhook'] = async (url, data, opts = {}) => {
    const source: Record<string, unknown> = { ...data, ...(opts.event !== undefined ? { event: opts.event } : {}) };
    const payload: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(source)) payload[opts.keyMap?.[key] ?? key] = value;
    const out: WebhookDelivery[] = [];
    for (let i = 0; i < (opts.duplicate ? 2 : 1); i++) out.push(await post(url, payload, opts.format ?? 'json'));
    return out;
  };

  return {
    app,
    async listen() {
      const server = createServer(app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      return {
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((resolve, reject) => {
            server.closeAllConnections();
            server.close((err) => (err ? reject(err) : resolve()));
          }),
      };
    },
    addList: (input) => state.addList(input),
    subscribers: () => [...state.subscribers.values()].map((s) => structuredClone(s)),
    webhooks: () => [...state.webhooks.values()].map((w) => structuredClone(w)),
    tags: () => [...state.tags].map(([id, name]) => ({ id, name })),
    requests,
    setFaults(f) {
      if (f.errorRate !== undefined) faults.errorRate = f.errorRate;
      if (f.latencyMs !== undefined) faults.latencyMs = f.latencyMs;
      if (f.status !== undefined) faults.status = f.status;
    },
    failNext(f) {
      for (let i = 0; i < (f.count ?? 1); i++) queued.push({ status: f.status, path: f.path, body: f.body, headers: f.headers });
    },
    expireTokens() {
      ctx.tokens.clear();
    },
    sendWebhook,
    async fireListEvent(subscriberId, event) {
      const subscriber = state.subscribers.get(subscriberId);
      if (!subscriber) throw new Error(`No subscriber ${subscriberId}`);
      const out: WebhookDelivery[] = [];
      for (const hook of state.webhooks.values()) {
        if (!subscriber.lists[hook.list_id] || !hook.events.includes(event)) continue;
        // The payload is what the user's field mapping (`merges`: our field → their key) makes of the subscriber.
        const data: Record<string, unknown> = {};
        for (const [field, key] of Object.entries(hook.merges)) {
          const value = (subscriber as unknown as Record<string, unknown>)[field];
          if (value !== null && value !== undefined) data[key] = value;
        }
        data.list_id = hook.list_id;
        data.list_name = state.lists.get(hook.list_id)?.name;
        data.event = event;
        // Send type 2 is what the one public client registers; read here as JSON, anything else as a form post.
        out.push(await post(hook.url, data, hook.webhooks_send_type_id === 2 ? 'json' : 'form'));
      }
      return out;
    },
  };
}

function toForm(payload: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(payload)) {
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else if (value !== null && typeof value === 'object') params.append(key, JSON.stringify(value));
    else params.append(key, value === null || value === undefined ? '' : String(value));
  }
  return params.toString();
}
