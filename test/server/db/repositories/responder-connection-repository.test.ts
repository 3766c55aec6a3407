import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ResponderConnectionRepository, WEBHOOK_KEY_CACHE_MS } from '../../../../server/db/repositories/responder-connection-repository';
import { SecretBox } from '../../../../server/security/secret-box';
import { createTestDb, testDialects, type TestDb } from '../../../support/test-db';

describe.each(testDialects())('ResponderConnectionRepository on %s', (dialect) => {
  let db: TestDb;
  afterEach(async () => {
    vi.useRealTimers();
    await db?.destroy();
  });

  async function setup() {
    db = await createTestDb(dialect);
    return new ResponderConnectionRepository(db, new SecretBox(randomBytes(32)));
  }

  it('upsertCredentials › new location › stored sealed, read back plain, webhook key created', async () => {
    const repo = await setup();
    await repo.upsertCredentials('loc1', { clientId: '238', clientSecret: 'secret-שלום', userToken: 'user-token-xyz' });
    await repo.saveToken('loc1', 'jwt-access-token', 1_900_000_000_000, '1000047');
    const conn = await repo.get('loc1');
    expect(conn).toMatchObject({
      locationId: 'loc1',
      credentials: { clientId: '238', clientSecret: 'secret-שלום', userToken: 'user-token-xyz' },
      accessToken: 'jwt-access-token',
      tokenExpiresAt: 1_900_000_000_000,
      accountId: '1000047',
    });
    expect(conn?.webhookKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const raw = JSON.stringify(await db.kysely.selectFrom('responder_connections').selectAll().execute());
    for (const secret of ['secret-שלום', 'user-token-xyz', 'jwt-access-token']) expect(raw).not.toContain(secret);
  });

  it('upsertCredentials › again with new values › replaced, cached token dropped, webhook key kept', async () => {
    const repo = await setup();
    await repo.upsertCredentials('loc1', { clientId: '1', clientSecret: 'a', userToken: 'b' });
    const key = await repo.ensureWebhookKey('loc1');
    await repo.saveToken('loc1', 'old-token', Date.now() + 60_000);
    await repo.upsertCredentials('loc1', { clientId: '2', clientSecret: 'c', userToken: 'd' });
    const conn = await repo.get('loc1');
    expect(conn).toMatchObject({ credentials: { clientId: '2', clientSecret: 'c', userToken: 'd' }, accessToken: null, webhookKey: key });
  });

  it('ensureWebhookKey › no row › creates one; called again (also concurrently) › same key', async () => {
    const repo = await setup();
    const [a, b] = await Promise.all([repo.ensureWebhookKey('loc2'), repo.ensureWebhookKey('loc2')]);
    expect(a).toBe(b);
    expect(await repo.ensureWebhookKey('loc2')).toBe(a);
    expect(await repo.get('loc2')).toMatchObject({ credentials: null, webhookKey: a });
  });

  it('locationIdForWebhookKey › known key › its location; unknown, empty or rotated-away key › null', async () => {
    const repo = await setup();
    const key = await repo.ensureWebhookKey('loc3');
    await repo.ensureWebhookKey('loc4');
    expect(await repo.locationIdForWebhookKey(key)).toBe('loc3');
    expect(await repo.locationIdForWebhookKey('nope')).toBeNull();
    expect(await repo.locationIdForWebhookKey('')).toBeNull();
    const rotated = await repo.rotateWebhookKey('loc3');
    expect(rotated).not.toBe(key);
    expect(await repo.locationIdForWebhookKey(key)).toBeNull();
    expect(await repo.locationIdForWebhookKey(rotated)).toBe('loc3');
  });

  it('locationIdForWebhookKey › key deleted here › null at once; rotated by another process › null once its cache expires', async () => {
    const repo = await setup();
    const key = await repo.ensureWebhookKey('loc6');
    expect(await repo.locationIdForWebhookKey(key)).toBe('loc6');
    await repo.delete('loc6');
    expect(await repo.locationIdForWebhookKey(key)).toBeNull();

    vi.useFakeTimers({ toFake: ['Date'] });
    const otherProcess = new ResponderConnectionRepository(db, new SecretBox(randomBytes(32)));
    const key7 = await repo.ensureWebhookKey('loc7');
    expect(await otherProcess.locationIdForWebhookKey(key7)).toBe('loc7');
    await repo.rotateWebhookKey('loc7');
    expect(await repo.locationIdForWebhookKey(key7)).toBeNull();
    vi.advanceTimersByTime(WEBHOOK_KEY_CACHE_MS);
    expect(await otherProcess.locationIdForWebhookKey(key7)).toBeNull();
  });

  it('tokenCache › set then get › the sealed token round-trips through the row', async () => {
    const repo = await setup();
    await repo.upsertCredentials('loc5', { clientId: '1', clientSecret: 'a', userToken: 'b' });
    const cache = repo.tokenCache('loc5');
    expect(await cache.get()).toBeNull();
    await cache.set({ token: 'tok', expiresAt: 123_456, accountId: '9' });
    expect(await cache.get()).toEqual({ token: 'tok', expiresAt: 123_456, accountId: '9' });
  });

  it('clearCredentials and delete › credentials gone but key kept; then the row is gone', async () => {
    const repo = await setup();
    await repo.upsertCredentials('loc6', { clientId: '1', clientSecret: 'a', userToken: 'b' });
    const key = await repo.ensureWebhookKey('loc6');
    await repo.clearCredentials('loc6');
    expect(await repo.get('loc6')).toMatchObject({ credentials: null, webhookKey: key });
    await repo.delete('loc6');
    expect(await repo.get('loc6')).toBeNull();
  });
});
