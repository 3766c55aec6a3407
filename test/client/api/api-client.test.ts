import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { panelRoutes as apiRoutes } from '../../../shared/contracts/panel-routes';
import { useApi } from '../../../client/src/api/api-client';
import { ApiError } from '../../../client/src/api/http-core';
import { useSessionStore } from '../../../client/src/stores/session-store';
import { fail, installFetch, json, ok, primeSession, sessionResponse } from '../support/panel-test-kit';

const handshake = vi.hoisted(() => ({ requestGhlUserData: vi.fn<() => Promise<string>>() }));
vi.mock('../../../client/src/composables/useGhlUserContext', () => handshake);

const contact = {
  id: 'c1',
  firstName: 'נועה',
  lastName: 'כהן',
  name: 'נועה כהן',
  email: 'noa@example.com',
  phone: '+972501234567',
  tags: ['vip'],
  owner: null,
  dnd: false,
};

describe('useApi', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    handshake.requestGhlUserData.mockReset();
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('useApi › GET with a session › sends the bearer token and returns the parsed data', async () => {
    primeSession({ token: 'jwt-abc' });
    const calls = installFetch(() => ok(contact));

    const result = await useApi().call(apiRoutes.getContact, { params: { contactId: 'c1' } });

    expect(result).toEqual(contact);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toBe('/api/contacts/c1');
    expect(calls[0]!.headers.authorization).toBe('Bearer jwt-abc');
    expect(calls[0]!.headers['idempotency-key']).toBeUndefined();
  });

  it('useApi › query and params › encodes params and drops empty query values', async () => {
    primeSession();
    const calls = installFetch(() => ok({ messages: [], nextCursor: null }));

    await useApi().call(apiRoutes.listMessages, {
      params: { contactId: 'a/b c' },
      query: { q: 'שלום', channel: undefined, limit: 30, cursor: '' },
    });

    expect(calls[0]!.url).toBe(`/api/contacts/a%2Fb%20c/messages?q=${encodeURIComponent('שלום')}&limit=30`);
  });

  it('useApi › error body › throws ApiError with status, code and message', async () => {
    primeSession();
    installFetch(() => fail(404, 'not_found', 'Contact not found'));

    const err = await useApi()
      .call(apiRoutes.getContact, { params: { contactId: 'x' } })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, code: 'not_found', message: 'Contact not found' });
  });

  it('useApi › answer does not match the contract › throws invalid_response', async () => {
    primeSession();
    installFetch(() => ok({ id: 'c1' }));

    await expect(useApi().call(apiRoutes.getContact, { params: { contactId: 'c1' } })).rejects.toMatchObject({
      code: 'invalid_response',
    });
  });

  it('useApi › network down › throws network_error with status 0', async () => {
    primeSession();
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));

    await expect(useApi().call(apiRoutes.listUsers, {})).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('useApi › 401 once › re-runs the handshake once and retries with the new token', async () => {
    primeSession({ token: 'old' });
    handshake.requestGhlUserData.mockResolvedValue('sso-payload');
    const calls = installFetch((call) => {
      if (call.path === '/api/session') return ok(sessionResponse({ token: 'new' }));
      return call.headers.authorization === 'Bearer new' ? ok({ users: [] }) : fail(401, 'unauthorized');
    });

    const result = await useApi().call(apiRoutes.listUsers, {});

    expect(result).toEqual({ users: [] });
    expect(handshake.requestGhlUserData).toHaveBeenCalledTimes(1);
    expect(calls.map((c) => `${c.method} ${c.path} ${c.headers.authorization ?? ''}`)).toEqual([
      'GET /api/users Bearer old',
      'POST /api/session ',
      'GET /api/users Bearer new',
    ]);
    expect(calls[1]!.body).toEqual({ ssoPayload: 'sso-payload' });
    expect(useSessionStore().token).toBe('new');
  });

  it('useApi › 401 again after the new handshake › gives up with the 401 instead of looping', async () => {
    primeSession({ token: 'old' });
    handshake.requestGhlUserData.mockResolvedValue('sso-payload');
    const calls = installFetch((call) =>
      call.path === '/api/session' ? ok(sessionResponse({ token: 'new' })) : fail(401, 'unauthorized'),
    );

    await expect(useApi().call(apiRoutes.listUsers, {})).rejects.toMatchObject({ status: 401 });
    expect(calls.filter((c) => c.path === '/api/users')).toHaveLength(2);
    expect(handshake.requestGhlUserData).toHaveBeenCalledTimes(1);
  });

  it('useApi › write without a key › adds an Idempotency-Key', async () => {
    primeSession();
    const calls = installFetch(() => ok({ tags: ['a'] }, 201));

    await useApi().call(apiRoutes.addTags, { params: { contactId: 'c1' }, body: { tags: ['a'] } });

    expect(calls[0]!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(calls[0]!.headers['content-type']).toBe('application/json');
    expect(calls[0]!.body).toEqual({ tags: ['a'] });
  });

  it('useApi › same key twice while the first is in flight › sends one request and both get its answer', async () => {
    primeSession();
    const note = { id: 'n1', contactId: 'c1', body: 'x', userId: null, createdAt: '2024-05-01T10:00:00.000Z' };
    const calls = installFetch(() => ok(note, 201));
    const api = useApi();
    const args = { params: { contactId: 'c1' }, body: { body: 'x' }, idempotencyKey: 'key-1' };

    const [a, b] = await Promise.all([api.call(apiRoutes.createNote, args), api.call(apiRoutes.createNote, args)]);

    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers['idempotency-key']).toBe('key-1');
    expect(a).toEqual(note);
    expect(b).toEqual(note);
  });

  it('useApi › needs_reconnect error › flips the location to needs_reconnect for the banner', async () => {
    const session = primeSession();
    installFetch(() => json(409, { error: { code: 'needs_reconnect', message: 'Refresh token revoked' } }));

    await expect(useApi().call(apiRoutes.listUsers, {})).rejects.toMatchObject({ code: 'needs_reconnect' });
    expect(session.location?.status).toBe('needs_reconnect');
    expect(session.location?.statusReason).toBe('Refresh token revoked');
  });
});
