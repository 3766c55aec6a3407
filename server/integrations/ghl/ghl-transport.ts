import http from 'node:http';
import https from 'node:https';
import axios, { AxiosError, type AxiosResponse } from 'axios';
import { contentDecoder } from '../../http/node-http';

/** Environment variables through which axios would send a request via a proxy (proxy-from-env). */
const PROXY_VARIABLES = ['http_proxy', 'https_proxy', 'all_proxy', 'npm_config_proxy', 'npm_config_http_proxy', 'npm_config_https_proxy'];

/** True when the environment names a proxy (any case): GHL calls then go through axios, which knows proxies. */
export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Object.entries(env).some(([name, value]) => Boolean(value) && PROXY_VARIABLES.includes(name.toLowerCase()));
}

/** The part of an answer GhlHttp reads: what axios resolves with, or what `exchangeJson` does. */
export interface GhlAnswer {
  status: number;
  headers: Record<string, unknown>;
  data: unknown;
}

export interface JsonExchange {
  /** Absolute URL. */
  url: string;
  method: string;
  headers: Record<string, string>;
  /** A JSON value to send, or undefined for none. */
  body?: unknown;
  timeoutMs: number;
}

/**
 * One JSON request straight through node:http(s), with axios's answer and failure shapes, so toGhlError and
 * GhlHttp treat both alike: a 2xx resolves `{status, headers, data}` (data parsed as JSON when it is JSON); any
 * other status rejects with an AxiosError carrying that answer; a timeout (a wall clock over the whole exchange)
 * with an AxiosError `ECONNABORTED`; a network failure with an AxiosError keeping its code. No redirects are
 * followed. axios spent more CPU per GHL call than the rest of the call (config merging, header objects,
 * a proxy lookup in the environment, stream plumbing, two socket writes), and the worker makes one or two calls
 * per event (bench/drain-bench.ts).
 */
export function exchangeJson(x: JsonExchange): Promise<GhlAnswer> {
  return new Promise((resolve, reject) => {
    const body = x.body === undefined ? undefined : JSON.stringify(x.body);
    const headers: Record<string, string> = {
      // The same header the axios path sends, so GHL sees one client whichever way a call goes.
      'User-Agent': `axios/${axios.VERSION}`,
      'Accept-Encoding': 'gzip, deflate, br',
      ...x.headers,
    };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const transport = x.url.startsWith('https:') ? https : http;
    const req = transport.request(x.url, { method: x.method.toUpperCase(), headers });
    const timer = setTimeout(() => {
      finish(() => reject(new AxiosError(`timeout of ${x.timeoutMs}ms exceeded`, AxiosError.ECONNABORTED)));
      req.destroy();
    }, x.timeoutMs);
    req.on('error', (err) => finish(() => reject(AxiosError.from(err))));
    req.on('response', (res) => {
      const decoder = contentDecoder(String(res.headers['content-encoding'] ?? '').trim().toLowerCase());
      const stream: NodeJS.ReadableStream = decoder ? res.pipe(decoder) : res;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err: Error) => finish(() => reject(AxiosError.from(err))));
      stream.on('end', () =>
        finish(() => {
          const answer: GhlAnswer = { status: res.statusCode ?? 0, headers: res.headers, data: parseBody(Buffer.concat(chunks).toString('utf8')) };
          if (answer.status >= 200 && answer.status < 300) return resolve(answer);
          const code = answer.status >= 400 && answer.status < 500 ? AxiosError.ERR_BAD_REQUEST : AxiosError.ERR_BAD_RESPONSE;
          reject(new AxiosError(`Request failed with status code ${answer.status}`, code, undefined, req, answer as AxiosResponse));
        }),
      );
    });
    req.end(body);
  });
}

/** As axios reads a body: JSON when it parses, else the text itself ('' for none). */
function parseBody(text: string): unknown {
  if (text === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
