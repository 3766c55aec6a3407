import http from 'node:http';
import type { FuzzBody } from './fuzz-bodies';

export interface FuzzResponse {
  /** 0 when the upload was cut off on purpose (no answer expected). */
  status: number;
  json: unknown;
  text: string;
}

/**
 * Sends exact bytes with exact headers over a keep-alive agent (supertest re-encodes some bodies and sets its own
 * content type). An aborted upload declares more bytes than it sends, then drops the socket.
 */
export function sendRaw(
  agent: http.Agent,
  baseUrl: string,
  path: string,
  b: FuzzBody,
  extra: Record<string, string> = {},
): Promise<FuzzResponse> {
  const url = new URL(path, baseUrl);
  const headers: Record<string, string | number> = { ...b.headers, ...extra };
  if (b.contentType !== undefined) headers['content-type'] = b.contentType;
  headers['content-length'] = b.abort ? b.body.length + 1024 : b.body.length;

  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent: b.abort ? false : agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json, text });
        });
        res.on('error', reject);
      },
    );
    if (b.abort) {
      req.on('error', () => resolve({ status: 0, json: undefined, text: '' }));
      req.write(b.body.subarray(0, Math.floor(b.body.length / 2)), () => {
        // Let the server start reading before the connection drops.
        setTimeout(() => req.destroy(), 5);
      });
      req.on('close', () => resolve({ status: 0, json: undefined, text: '' }));
      return;
    }
    req.on('error', reject);
    req.end(b.body);
  });
}
