import { UpstreamError } from '../../errors';
import type { ResponderClient } from './responder-client';

export interface RegisterWebhooksResult {
  created: number[];
  existing: number[];
  failed: { listId: number; message: string }[];
}

/**
 * Makes sure each list has a webhook calling `url` (idempotent: a list that already has one with the same URL is
 * left alone). One list failing does not stop the others. Auth failures are rethrown: nothing else can succeed.
 */
export async function registerWebhooks(
  client: Pick<ResponderClient, 'listWebhooks' | 'createWebhook'>,
  input: { listIds: number[]; url: string; name: string; events?: number[] },
): Promise<RegisterWebhooksResult> {
  const result: RegisterWebhooksResult = { created: [], existing: [], failed: [] };
  const target = comparableUrl(input.url);
  for (const listId of [...new Set(input.listIds)]) {
    try {
      const hooks = await client.listWebhooks(listId);
      if (hooks.some((h) => comparableUrl(h.url) === target)) {
        result.existing.push(listId);
        continue;
      }
      await client.createWebhook({ listId, url: input.url, name: input.name, ...(input.events ? { events: input.events } : {}) });
      result.created.push(listId);
    } catch (err) {
      if (err instanceof UpstreamError && (err.kind === 'auth' || err.kind === 'needs_reconnect')) throw err;
      result.failed.push({ listId, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return result;
}

// The same endpoint may come back with a trailing slash or a different host case.
function comparableUrl(url: string): string {
  try {
    const u = new URL(url.trim());
    return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, '')}${u.search}`;
  } catch {
    return url.trim();
  }
}
