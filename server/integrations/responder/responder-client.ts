import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import type { z } from 'zod';
import { UpstreamError } from '../../errors';
import type { Logger } from '../../logger';
import {
  createSubscriberResponseSchema,
  createdIdResponseSchema,
  listFieldsResponseSchema,
  listsResponseSchema,
  subscribersResponseSchema,
  tagsResponseSchema,
  webhooksResponseSchema,
} from './responder-api-schemas';
import { describeReason, responderFailure, safeBody } from './responder-http-errors';
import { toResponderPhone } from './responder-phone';
import { ResponderTokenManager, type ResponderCredentials, type ResponderTokenCache } from './responder-token-manager';

export type { ResponderCredentials, ResponderToken, ResponderTokenCache } from './responder-token-manager';

/** Sent as `User-Agent: ResponderLive-GHL/<version>`: v2's firewall refuses requests without one (responder-live.md §1.2). */
export const RESPONDER_CLIENT_VERSION = '0.1.0';

export interface ResponderClientOptions {
  baseUrl: string;
  timeoutMs?: number;
  credentials: ResponderCredentials;
  logger: Logger;
  tokenCache?: ResponderTokenCache;
  now?: () => number;
}

export interface ResponderList {
  id: number;
  name: string;
  /** Dynamic lists cannot take direct adds; callers usually skip them. */
  dynamic: boolean;
}

export interface ResponderField {
  id: string;
  name: string;
  typeId: number | undefined;
  options: { id: string; name: string }[];
}

export interface ResponderSubscriber {
  id: number;
  email?: string;
  phone?: string;
  first?: string;
  last?: string;
  name?: string;
  personalFields?: unknown;
}

export interface SubscriberFields {
  email?: string;
  /** E.164 or raw; sent as national digits for Israeli numbers (§4.1). */
  phone?: string;
  first?: string;
  last?: string;
  name?: string;
  /** Keyed by Responder field id. */
  personalFields?: Record<string, unknown>;
  /** Tag ids. */
  tags?: number[];
}

export interface ResponderWebhook {
  id: number;
  listId?: number;
  url: string;
  name?: string;
  events?: number[];
}

/**
 * Responder Live API v2 client (`graph.responder.live/v2`): client-credentials token with one re-auth on 401,
 * a User-Agent on every call, zod-checked answers. Failures are `UpstreamError` with service `responder`.
 */
export class ResponderClient {
  private readonly http: AxiosInstance;
  private readonly now: () => number;
  private readonly tokens: ResponderTokenManager;

  constructor(private readonly options: ResponderClientOptions) {
    this.now = options.now ?? Date.now;
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ''),
      timeout: options.timeoutMs ?? 15_000,
      validateStatus: () => true,
      headers: { 'User-Agent': `ResponderLive-GHL/${RESPONDER_CLIENT_VERSION}`, Accept: 'application/json' },
    });
    this.tokens = new ResponderTokenManager({
      request: (path, body) => this.send('POST', path, { data: body }),
      credentials: options.credentials,
      logger: options.logger,
      now: this.now,
      ...(options.tokenCache ? { cache: options.tokenCache } : {}),
    });
  }

  /** A usable access token: memory, then the cache, then POST /oauth/token (one request at a time). */
  async getToken(): Promise<string> {
    return (await this.tokens.get()).token;
  }

  /** The account id the token answer carried, once a token was fetched. */
  get accountId(): string | undefined {
    return this.tokens.accountId;
  }

  /** GET /lists. */
  async listLists(): Promise<ResponderList[]> {
    const data = await this.call('GET', '/lists', {}, listsResponseSchema);
    return data.data.map((l) => ({ id: l.id, name: l.name, dynamic: Boolean(l.is_dynamic || l.dynamic_status) }));
  }

  /** GET /lists/{id}/fields: the list's personal fields, then the account-wide ones. */
  async getListFields(listId: number): Promise<{ personalFields: ResponderField[]; allListsPersonalFields: ResponderField[] }> {
    const data = await this.call('GET', `/lists/${listId}/fields`, {}, listFieldsResponseSchema);
    const map = (fields: z.output<typeof listFieldsResponseSchema>['personal_fields']): ResponderField[] =>
      (fields ?? []).map((f) => ({
        id: String(f.id),
        name: f.name,
        typeId: f.type_id === undefined || Number.isNaN(f.type_id) ? undefined : f.type_id,
        options: (f.options ?? []).map((o) => ({ id: String(o.id), name: o.name })),
      }));
    return { personalFields: map(data.personal_fields), allListsPersonalFields: map(data.all_lists_personal_fields) };
  }

  /** POST /subscribers/search with its parameters in the query string, as v2 wants (§1.3). */
  async searchSubscribers(input: { listId?: number; searchKey: string }): Promise<ResponderSubscriber[]> {
    const params: Record<string, string | number> = { searchKey: input.searchKey };
    if (input.listId !== undefined) params.listId = input.listId;
    const rows = await this.call('POST', '/subscribers/search', { params }, subscribersResponseSchema);
    return rows.map((s) => ({
      id: s.id,
      ...(s.email ? { email: s.email } : {}),
      ...(s.phone ? { phone: s.phone } : {}),
      ...(s.first ? { first: s.first } : {}),
      ...(s.last ? { last: s.last } : {}),
      ...(s.name ? { name: s.name } : {}),
      ...(s.personal_fields !== undefined ? { personalFields: s.personal_fields } : {}),
    }));
  }

  /**
   * POST /subscribers. An existing subscriber (same email) answers `{duplicate:true, createdId}`: that is a success
   * with `duplicate: true`. `override` re-subscribes someone who left (`unsubscribed:false, override:true`).
   */
  async createSubscriber(input: SubscriberFields & { listIds: number[]; override?: boolean }): Promise<{ id: number; duplicate: boolean }> {
    const body: Record<string, unknown> = { list_ids: input.listIds, ...subscriberBody(input) };
    if (input.override) Object.assign(body, { override: true, unsubscribed: false });
    const data = await this.call('POST', '/subscribers', { data: body }, createSubscriberResponseSchema);
    if (data.duplicate && data.createdId !== undefined) return { id: data.createdId, duplicate: true };
    if (data.status !== false && data.createdId !== undefined) return { id: data.createdId, duplicate: false };
    throw new UpstreamError('responder', 'permanent', `Responder Live did not create the subscriber: ${describeReason(data.error)}`, {
      status: 200,
      body: safeBody(data),
    });
  }

  /** PUT /subscribers/{id}. */
  async updateSubscriber(id: number, fields: SubscriberFields): Promise<void> {
    const data = await this.call('PUT', `/subscribers/${id}`, { data: subscriberBody(fields) }, createdIdResponseSchema);
    if (data.status === false) {
      throw new UpstreamError('responder', 'permanent', `Responder Live did not update the subscriber: ${describeReason(data.error)}`, {
        status: 200,
        body: safeBody(data),
      });
    }
  }

  /** PUT /lists/{listId}/subscribers/{subscriberId}: `inactive: false` puts someone back on the list. */
  async updateListMembership(listId: number, subscriberId: number, input: { inactive: boolean }): Promise<void> {
    await this.call('PUT', `/lists/${listId}/subscribers/${subscriberId}`, { data: { inactive: input.inactive } }, createdIdResponseSchema);
  }

  /** GET /tag. */
  async listTags(): Promise<{ id: number; name: string }[]> {
    const data = await this.call('GET', '/tag', {}, tagsResponseSchema);
    return data.data.map((t) => ({ id: t.id, name: t.name }));
  }

  /** POST /tags/subscribers `{name}` → the new tag id. */
  async createTag(name: string): Promise<number> {
    const data = await this.call('POST', '/tags/subscribers', { data: { name } }, createdIdResponseSchema);
    if (data.id === undefined) throw new UpstreamError('responder', 'permanent', `Responder Live did not create the tag: ${describeReason(data.error)}`);
    return data.id;
  }

  /** GET /webhooks?list_id=. */
  async listWebhooks(listId: number): Promise<ResponderWebhook[]> {
    const rows = await this.call('GET', '/webhooks', { params: { list_id: listId } }, webhooksResponseSchema);
    return rows.map((w) => ({
      id: w.id,
      ...(w.list_id !== undefined ? { listId: w.list_id } : {}),
      url: w.url,
      ...(w.name ? { name: w.name } : {}),
      ...(w.events ? { events: w.events } : {}),
    }));
  }

  /**
   * POST /webhooks for one list. Send type 2 and the `merges` map follow the one public client that registers
   * webhooks (MaheshBhise/responder-api-v2 webhook.rb, §1.3); events 1 new, 2 updated, 5 re-subscribed.
   */
  async createWebhook(input: { listId: number; url: string; name: string; events?: number[] }): Promise<number> {
    const body = {
      list_id: input.listId,
      url: input.url,
      name: input.name,
      webhooks_send_type_id: 2,
      events: input.events ?? [1, 2, 5],
      merges: { email: 'email', phone: 'phone', name: 'name', first: 'first', last: 'last' },
    };
    const data = await this.call('POST', '/webhooks', { data: body }, createdIdResponseSchema);
    if (data.id === undefined) throw new UpstreamError('responder', 'permanent', `Responder Live did not create the webhook: ${describeReason(data.error)}`);
    return data.id;
  }

  /** DELETE /webhooks/{id}. */
  async deleteWebhook(id: number): Promise<void> {
    await this.call('DELETE', `/webhooks/${id}`, {}, createdIdResponseSchema);
  }

  /** One authorised call: on 401 the token is fetched again and the call repeated once (the help article's advice, §1.1). */
  private async call<S extends z.ZodType>(
    method: Method,
    path: string,
    request: { params?: Record<string, unknown>; data?: unknown },
    schema: S,
  ): Promise<z.output<S>> {
    let token = await this.tokens.get();
    let res = await this.send(method, path, request, token.token);
    if (res.status === 401) {
      token = await this.tokens.get(token.token);
      res = await this.send(method, path, request, token.token);
      if (res.status === 401) {
        throw new UpstreamError('responder', 'auth', `Responder Live refused the token for ${method} ${path}`, {
          status: 401,
          body: safeBody(res.data),
        });
      }
    }
    if (res.status >= 300) throw responderFailure(res, `${method} ${path}`);
    const parsed = schema.safeParse(res.data ?? {});
    if (!parsed.success) {
      throw new UpstreamError('responder', 'permanent', `Unexpected answer from Responder Live for ${method} ${path}`, {
        status: res.status,
        body: safeBody(res.data),
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  private async send(
    method: Method,
    path: string,
    request: { params?: Record<string, unknown>; data?: unknown },
    token?: string,
  ): Promise<AxiosResponse<unknown>> {
    const started = this.now();
    try {
      const res = await this.http.request<unknown>({
        method,
        url: path,
        params: request.params,
        data: request.data,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      });
      this.options.logger.debug({ service: 'responder', method, path, status: res.status, ms: this.now() - started }, 'responder call');
      return res;
    } catch (err) {
      const code = (err as { code?: string }).code;
      const timeout = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
      this.options.logger.warn({ service: 'responder', method, path, code }, 'responder call failed');
      throw new UpstreamError('responder', 'transient', `Responder Live ${timeout ? 'timed out' : 'could not be reached'} for ${method} ${path}`, {
        cause: err,
      });
    }
  }
}

function subscriberBody(f: SubscriberFields): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (f.email !== undefined) body.email = f.email;
  if (f.phone !== undefined) body.phone = toResponderPhone(f.phone);
  if (f.first !== undefined) body.first = f.first;
  if (f.last !== undefined) body.last = f.last;
  if (f.name !== undefined) body.name = f.name;
  if (f.personalFields !== undefined) body.personal_fields = f.personalFields;
  if (f.tags !== undefined) body.tags = f.tags;
  return body;
}
