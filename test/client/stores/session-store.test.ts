import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RENEW_BEFORE_MS, useSessionStore } from '../../../client/src/stores/session-store';
import { GhlContextError } from '../../../client/src/composables/useGhlUserContext';
import { fail, installFetch, ok, sessionResponse } from '../support/panel-test-kit';

const handshake = vi.hoisted(() => ({
  requestGhlUserData: vi.fn<() => Promise<string>>(),
}));
vi.mock('../../../client/src/composables/useGhlUserContext', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  requestGhlUserData: handshake.requestGhlUserData,
}));

describe('useSessionStore', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    handshake.requestGhlUserData.mockReset();
    handshake.requestGhlUserData.mockResolvedValue('encrypted');
  });
  afterEach(() => {
    useSessionStore().stop();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('session › start › exchanges the GHL payload for a token kept in memory only', async () => {
    const calls = installFetch(() => ok(sessionResponse({ token: 'jwt-1' })));
    const session = useSessionStore();

    await session.start();

    expect(calls[0]).toMatchObject({ method: 'POST', path: '/api/session', body: { ssoPayload: 'encrypted' } });
    expect(session.status).toBe('ready');
    expect(session.token).toBe('jwt-1');
    expect(session.user?.role).toBe('admin');
    expect(session.isAdmin).toBe(true);
    expect(JSON.stringify({ ...localStorage })).not.toContain('jwt-1');
    expect(JSON.stringify({ ...sessionStorage })).not.toContain('jwt-1');
    expect(document.cookie).not.toContain('jwt-1');
  });

  it('session › one minute before expiry › repeats the handshake and swaps the token', async () => {
    vi.useFakeTimers();
    const now = Date.now();
    let n = 0;
    installFetch(() => {
      n += 1;
      return ok(sessionResponse({ token: `jwt-${n}`, expiresAt: new Date(Date.now() + 15 * 60_000).toISOString() }));
    });
    const session = useSessionStore();
    await session.start();
    expect(session.token).toBe('jwt-1');

    await vi.advanceTimersByTimeAsync(15 * 60_000 - RENEW_BEFORE_MS - 1000);
    expect(handshake.requestGhlUserData).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2000);

    expect(handshake.requestGhlUserData).toHaveBeenCalledTimes(2);
    expect(session.token).toBe('jwt-2');
    expect(session.expiresAt).toBeGreaterThan(now + 15 * 60_000);
  });

  it('session › many callers need a token at once › runs one handshake', async () => {
    const calls = installFetch(() => ok(sessionResponse()));
    const session = useSessionStore();

    const tokens = await Promise.all([session.ensureToken(), session.ensureToken(), session.ensureToken()]);

    expect(new Set(tokens).size).toBe(1);
    expect(handshake.requestGhlUserData).toHaveBeenCalledTimes(1);
    expect(calls).toHaveLength(1);
  });

  it('session › not inside GHL › ends in the error state with the not_in_ghl code', async () => {
    handshake.requestGhlUserData.mockRejectedValue(new GhlContextError('not_in_ghl', 'Open inside GoHighLevel'));
    installFetch(() => ok(sessionResponse()));
    const session = useSessionStore();

    await session.start();

    expect(session.status).toBe('error');
    expect(session.error).toMatchObject({ code: 'not_in_ghl' });
    expect(session.token).toBeNull();
  });

  it('session › server refuses the payload › error state carries the API code', async () => {
    installFetch(() => fail(401, 'unauthorized', 'SSO payload could not be decrypted'));
    const session = useSessionStore();

    await session.start();

    expect(session.status).toBe('error');
    expect(session.error).toMatchObject({ code: 'unauthorized', status: 401 });
  });

  it('session › background renewal fails while the token is valid › keeps the token and stays ready', async () => {
    vi.useFakeTimers();
    installFetch(() => ok(sessionResponse({ token: 'jwt-1' })));
    const session = useSessionStore();
    await session.start();
    handshake.requestGhlUserData.mockRejectedValue(new GhlContextError('handshake_timeout', 'no answer'));

    await vi.advanceTimersByTimeAsync(15 * 60_000 - RENEW_BEFORE_MS + 10);

    expect(session.status).toBe('ready');
    expect(session.token).toBe('jwt-1');
  });
});
