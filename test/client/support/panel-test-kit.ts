import { RouterLinkStub } from '@vue/test-utils';
import { vi } from 'vitest';
import type { SessionResponse } from '../../../shared/contracts/session';
import { createPanelI18n, type LocaleHost } from '../../../client/src/i18n/i18n';
import { he } from '../../../client/src/i18n/he';
import { useSessionStore } from '../../../client/src/stores/session-store';

/** One request the panel sent through the mocked `fetch`. */
export interface RecordedCall {
  method: string;
  url: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

export const ok = (data: unknown, status = 200) => json(status, { data });
export const fail = (status: number, code: string, message = code) => json(status, { error: { code, message } });

/** Replaces `fetch` with `handler` and records every call. */
export function installFetch(handler: (call: RecordedCall) => Response | Promise<Response>): RecordedCall[] {
  const calls: RecordedCall[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init: RequestInit = {}) => {
      const headers = Object.fromEntries(
        Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
      );
      const call: RecordedCall = {
        method: init.method ?? 'GET',
        url: input,
        path: input.split('?')[0]!,
        headers,
        body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      };
      calls.push(call);
      if (init.signal?.aborted) throw new DOMException('Aborted', 'AbortError');
      return handler(call);
    }),
  );
  return calls;
}

/** A promise with its resolver, to hold a mocked response until the test releases it. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export function sessionResponse(overrides: Partial<SessionResponse> = {}): SessionResponse {
  return {
    token: 'token-1',
    expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    user: { id: 'user-1', name: 'Dana Levi', email: 'dana@example.com', role: 'admin' },
    location: { id: 'loc-1', name: 'Tel Aviv Office', timezone: 'Asia/Jerusalem', status: 'active' },
    ...overrides,
  };
}

/** Puts a ready session in the active Pinia's session store without a handshake. */
export function primeSession(overrides: Partial<SessionResponse> = {}) {
  const session = useSessionStore();
  const s = sessionResponse(overrides);
  session.token = s.token;
  session.expiresAt = Date.parse(s.expiresAt);
  session.user = s.user;
  session.location = s.location;
  session.status = 'ready';
  return session;
}

/** vue-i18n with both languages registered up front (tests should not wait for the lazy Hebrew chunk). */
export function testI18n(locale: 'en' | 'he' = 'en') {
  const i18n = createPanelI18n();
  const host = i18n.global as unknown as LocaleHost;
  host.setLocaleMessage('he', he);
  host.locale.value = locale;
  return i18n;
}

export const routerStubs = { RouterLink: RouterLinkStub };

/** Waits for pending promises and Vue updates. */
export async function settle(times = 3): Promise<void> {
  for (let i = 0; i < times; i += 1) await new Promise((r) => setTimeout(r, 0));
}
