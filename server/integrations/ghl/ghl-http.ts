import axios, { type AxiosInstance, type Method } from 'axios';
import type { z } from 'zod';
import { UpstreamError } from '../../errors';
import type { Logger } from '../../logger';
import { toGhlError } from './ghl-errors';
import { exchangeJson, proxyConfigured, type GhlAnswer } from './ghl-transport';
import type { GhlCallInfo, GhlTokenProvider } from './ghl-client';
import type { GhlRateLimiter } from './ghl-rate-limiter';

/** The API version every v2 endpoint we call declares (`Version` header enum in apps/contacts.json etc.). */
export const GHL_API_VERSION = '2021-07-28';

export interface GhlRequest<S extends z.ZodType> {
  method: Method;
  /** Path with ids already encoded, never with a query string (it is logged and put in error messages). */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  schema: S;
}

export interface GhlHttpOptions {
  baseUrl: string;
  timeoutMs: number;
  tokens: GhlTokenProvider;
  limiter: GhlRateLimiter;
  logger: Logger;
  onCall?: (info: GhlCallInfo) => void;
}

/** `encodeURIComponent` for every value, so a `+` in a phone or email reaches GHL as `%2B` (get-duplicate-contact). */
function queryString(query: Record<string, string | number | undefined> | undefined): string {
  if (!query) return '';
  const parts = Object.entries(query)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * The transport under GhlClient: token, limiter, one refresh-and-retry on 401, classification, parsing.
 * 429 and 5xx are not retried here: the job worker owns retries and backoff (SPEC §3).
 */
export class GhlHttp {
  private readonly baseUrl: string;
  /** Only when the environment names a proxy; otherwise calls go through exchangeJson (ghl-transport.ts). */
  private readonly viaAxios: AxiosInstance | undefined;

  constructor(private readonly opts: GhlHttpOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.viaAxios = proxyConfigured()
      ? axios.create({
          baseURL: this.baseUrl,
          timeout: opts.timeoutMs,
          headers: { Accept: 'application/json', Version: GHL_API_VERSION },
          // Never follow a redirect with our bearer token to wherever it points.
          maxRedirects: 0,
        })
      : undefined;
  }

  async request<S extends z.ZodType>(locationId: string, req: GhlRequest<S>): Promise<z.output<S>> {
    const token = await this.opts.tokens.getAccessToken(locationId);
    let res: GhlAnswer;
    try {
      res = await this.send(locationId, req, token);
    } catch (err) {
      const first = toGhlError(err, `${req.method} ${req.path}`);
      if (first.kind !== 'auth') throw first;
      // GHL's documented recovery: refresh on a token-expired answer, store, retry once (ghl-platform.md §1.4).
      const fresh = await this.opts.tokens.refreshAfterUnauthorized(locationId, token);
      try {
        res = await this.send(locationId, req, fresh);
      } catch (retryErr) {
        throw toGhlError(retryErr, `${req.method} ${req.path}`);
      }
    }
    return this.parse(req, res);
  }

  private async send(locationId: string, req: GhlRequest<z.ZodType>, token: string): Promise<GhlAnswer> {
    await this.opts.limiter.acquire(locationId);
    const started = performance.now();
    let status = 0;
    let headers: Record<string, unknown> = {};
    try {
      const url = `${req.path}${queryString(req.query)}`;
      const res: GhlAnswer = this.viaAxios
        ? await this.viaAxios.request({ method: req.method, url, data: req.body, headers: { Authorization: `Bearer ${token}` } })
        : await exchangeJson({
            url: `${this.baseUrl}${url}`,
            method: req.method,
            headers: { Accept: 'application/json', Version: GHL_API_VERSION, Authorization: `Bearer ${token}` },
            body: req.body,
            timeoutMs: this.opts.timeoutMs,
          });
      status = res.status;
      headers = res.headers;
      return res;
    } catch (err) {
      if (axios.isAxiosError(err) && err.response) {
        status = err.response.status;
        headers = err.response.headers as Record<string, unknown>;
      }
      throw err;
    } finally {
      const durationMs = Math.round(performance.now() - started);
      this.opts.limiter.observe(locationId, { headers, status });
      this.opts.logger.debug({ locationId, method: req.method, path: req.path, status, durationMs }, 'ghl call');
      this.opts.onCall?.({ locationId, method: req.method, path: req.path, status, durationMs });
    }
  }

  /**
   * A 2xx body that does not match the schema is `permanent`: the same request would get the same answer, so
   * retrying cannot help; the job goes dead with a message saying which fields were off.
   */
  private parse<S extends z.ZodType>(req: GhlRequest<S>, res: GhlAnswer): z.output<S> {
    const parsed = req.schema.safeParse(res.data);
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new UpstreamError(
      'ghl',
      'permanent',
      `GHL ${req.method} ${req.path} answered ${res.status} with an unexpected body (${issues.join('; ')})`,
      { status: res.status, body: { issues: parsed.error.issues } },
    );
  }
}
