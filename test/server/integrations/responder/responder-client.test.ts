import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { UpstreamError } from '../../../../server/errors';
import { ResponderClient, type ResponderToken } from '../../../../server/integrations/responder/responder-client';
import { registerWebhooks } from '../../../../server/integrations/responder/responder-webhook-registration';
import { createResponderSimulator, type ResponderSimulatorOptions } from '../../../../server/sandbox/responder-simulator/responder-simulator';

const credentials = { clientId: '238', clientSecret: 'sim-secret', userToken: 'sim-user-token' };
const logger = pino({ level: 'silent' });
const servers: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(options: Partial<ResponderSimulatorOptions> = {}, cache?: { value: ResponderToken | null }) {
  const sim = createResponderSimulator({ ...credentials, ...options });
  const server = await sim.listen();
  servers.push(server);
  const client = new ResponderClient({
    baseUrl: `${server.url}/v2`,
    timeoutMs: 5000,
    credentials,
    logger,
    ...(cache ? { tokenCache: { get: () => cache.value, set: (v) => void (cache.value = v) } } : {}),
  });
  return { sim, client, baseUrl: `${server.url}/v2` };
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
}

describe('ResponderClient against the simulator', () => {
  it('getToken › credentials › JSON body with numeric client_id, token read from `token`, expire honoured', async () => {
    const cache = { value: null as ResponderToken | null };
    const { sim, client } = await setup({ tokenTtlSeconds: 7200 }, cache);
    const before = Date.now();
    const token = await client.getToken();
    expect(token).toMatch(/^sim\./);
    const tokenRequest = sim.requests.find((r) => r.path === '/v2/oauth/token');
    expect(tokenRequest?.body).toEqual({
      grant_type: 'client_credentials',
      scope: '*',
      client_id: 238,
      client_secret: 'sim-secret',
      user_token: 'sim-user-token',
    });
    expect(client.accountId).toBe('1000047');
    expect(cache.value?.token).toBe(token);
    // `expire` is epoch seconds: the cached expiry is about two hours out.
    expect(cache.value!.expiresAt).toBeGreaterThan(before + 7000 * 1000);
  });

  it('getToken › server answers access_token instead of token › still works', async () => {
    const { client, sim } = await setup({ tokenField: 'access_token' });
    sim.addList({ id: 5, name: 'רשימה' });
    expect(await client.listLists()).toEqual([{ id: 5, name: 'רשימה', dynamic: false }]);
  });

  it('every call › User-Agent ResponderLive-GHL/<version> sent, token fetched once', async () => {
    const { client, sim } = await setup();
    await client.listLists();
    await client.listTags();
    expect(sim.requests.filter((r) => r.path === '/v2/oauth/token')).toHaveLength(1);
    expect(sim.requests.every((r) => /^ResponderLive-GHL\/\d+\.\d+\.\d+$/.test(r.userAgent ?? ''))).toBe(true);
  });

  it('expired tokens › one 401, re-authenticates once and repeats the call', async () => {
    const { client, sim } = await setup();
    sim.addList({ id: 7, name: 'L' });
    await client.listLists();
    sim.expireTokens();
    expect(await client.listLists()).toHaveLength(1);
    expect(sim.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/v2/oauth/token 200',
      '/v2/lists 200',
      '/v2/lists 401',
      '/v2/oauth/token 200',
      '/v2/lists 200',
    ]);
  });

  it('401 again after re-auth › UpstreamError auth', async () => {
    const { client, sim } = await setup();
    await client.getToken();
    sim.failNext({ status: 401, count: 2, path: '/v2/lists' });
    const err = await failure(client.listLists());
    expect(err).toMatchObject({ service: 'responder', kind: 'auth', status: 401 });
    expect(sim.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/v2/oauth/token 200',
      '/v2/lists 401',
      '/v2/oauth/token 200',
      '/v2/lists 401',
    ]);
  });

  it('wrong credentials › needs_reconnect, secret not in the error', async () => {
    const sim = createResponderSimulator({ ...credentials, clientSecret: 'other' });
    const server = await sim.listen();
    servers.push(server);
    const client = new ResponderClient({ baseUrl: `${server.url}/v2`, credentials, logger });
    const err = await failure(client.listLists());
    expect(err.kind).toBe('needs_reconnect');
    expect(JSON.stringify({ m: err.message, b: err.body })).not.toContain('sim-secret');
  });

  it('status mapping › 429 rate_limited with Retry-After, 404 permanent, 503 transient, closed port transient', async () => {
    const { client, sim } = await setup();
    await client.getToken();
    sim.failNext({ status: 429, headers: { 'Retry-After': '7' } });
    expect(await failure(client.listLists())).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000, status: 429 });
    sim.failNext({ status: 404 });
    expect(await failure(client.listLists())).toMatchObject({ kind: 'permanent', status: 404 });
    sim.failNext({ status: 503 });
    expect(await failure(client.listLists())).toMatchObject({ kind: 'transient', status: 503 });
    const closed = createResponderSimulator(credentials);
    const gone = await closed.listen();
    await gone.close();
    const offline = new ResponderClient({ baseUrl: `${gone.url}/v2`, credentials, logger });
    expect(await failure(offline.listLists())).toMatchObject({ kind: 'transient' });
  });

  it('token cache › fresh cached token used without a token request; new tokens written back', async () => {
    const cache = { value: null as ResponderToken | null };
    const { client, sim, baseUrl } = await setup({}, cache);
    await client.listLists();
    const second = new ResponderClient({
      baseUrl,
      credentials,
      logger,
      tokenCache: { get: async () => cache.value, set: (v) => void (cache.value = v) },
    });
    await second.listTags();
    expect(sim.requests.filter((r) => r.path === '/v2/oauth/token')).toHaveLength(1);
    expect(sim.requests.at(-1)).toMatchObject({ path: '/v2/tag', status: 200 });
  });

  it('createSubscriber › new, then same email again › {id, duplicate:false} then the same id with duplicate:true', async () => {
    const { client, sim } = await setup();
    sim.addList({ id: 11, name: 'מתעניינים' });
    const first = await client.createSubscriber({ listIds: [11], email: 'Israel@Example.com', phone: '+972541234567', name: 'ישראל ישראלי' });
    const again = await client.createSubscriber({ listIds: [11], email: 'israel@example.com', first: 'ישראל' });
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ id: first.id, duplicate: true });
    const post = sim.requests.find((r) => r.path === '/v2/subscribers');
    expect(post?.body).toMatchObject({ list_ids: [11], phone: '0541234567', name: 'ישראל ישראלי' });
    expect(sim.subscribers()).toHaveLength(1);
    expect(sim.subscribers()[0]).toMatchObject({ name: 'ישראל ישראלי', first: 'ישראל', phone: '0541234567' });
  });

  it('createSubscriber › Responder refuses (status:false) › permanent with the reason', async () => {
    const { client, sim } = await setup();
    sim.addList({ id: 12, name: 'dyn', dynamic: true });
    const err = await failure(client.createSubscriber({ listIds: [12], email: 'a@b.co' }));
    expect(err.kind).toBe('permanent');
    expect(err.message).toContain('dynamic');
  });

  it('search, update, membership, tags › round trip', async () => {
    const { client, sim } = await setup();
    sim.addList({ id: 20, name: 'L' });
    const { id } = await client.createSubscriber({ listIds: [20], email: 'a@b.co', phone: '054-1234567' });
    await client.updateSubscriber(id, { last: 'כהן', personalFields: { '7': 'x' } });
    await client.updateListMembership(20, id, { inactive: true });
    const tagId = await client.createTag('לקוח-חדש');
    expect(await client.listTags()).toEqual([{ id: tagId, name: 'לקוח-חדש' }]);
    const found = await client.searchSubscribers({ listId: 20, searchKey: '0541234567' });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ id, email: 'a@b.co', last: 'כהן' });
    const search = sim.requests.find((r) => r.path === '/v2/subscribers/search');
    expect(search).toMatchObject({ method: 'POST', query: { listId: '20', searchKey: '0541234567' } });
    expect(sim.subscribers()[0]?.lists[20]?.inactive).toBe(true);
  });

  it('getListFields › list fields mapped', async () => {
    const { client, sim } = await setup();
    sim.addList({ id: 30, name: 'L', fields: [{ id: 1251, name: 'מקור', type_id: 6, options: [{ id: 1, name: 'פייסבוק' }], default: null }] });
    expect(await client.getListFields(30)).toEqual({
      personalFields: [{ id: '1251', name: 'מקור', typeId: 6, options: [{ id: '1', name: 'פייסבוק' }] }],
      allListsPersonalFields: [],
    });
  });

  it('webhooks CRUD › create, list, delete', async () => {
    const { client, sim } = await setup();
    sim.addList({ id: 40, name: 'L' });
    const id = await client.createWebhook({ listId: 40, url: 'http://127.0.0.1:9/webhooks/responder/k', name: 'GHL sync' });
    expect(await client.listWebhooks(40)).toEqual([{ id, listId: 40, url: 'http://127.0.0.1:9/webhooks/responder/k', name: 'GHL sync', events: [1, 2, 5] }]);
    expect(sim.webhooks()[0]).toMatchObject({ webhooks_send_type_id: 2, events: [1, 2, 5] });
    await client.deleteWebhook(id);
    expect(await client.listWebhooks(40)).toEqual([]);
    expect(await failure(client.deleteWebhook(id))).toMatchObject({ kind: 'permanent', status: 404 });
  });

  it('registerWebhooks › run twice › created once, then reported existing; a missing list fails alone', async () => {
    const { client, sim } = await setup();
    sim.addList({ id: 50, name: 'A' });
    sim.addList({ id: 51, name: 'B' });
    const url = 'http://127.0.0.1:9/webhooks/responder/key1';
    const first = await registerWebhooks(client, { listIds: [50, 51, 99], url, name: 'GHL' });
    const second = await registerWebhooks(client, { listIds: [50, 51], url: `${url}/`, name: 'GHL' });
    expect(first.created).toEqual([50, 51]);
    expect(first.failed).toEqual([{ listId: 99, message: expect.stringContaining('99') }]);
    expect(second).toEqual({ created: [], existing: [50, 51], failed: [] });
    expect(sim.webhooks()).toHaveLength(2);
  });
});
