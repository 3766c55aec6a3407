import { afterEach, describe, expect, it } from 'vitest';
import type { SessionData } from 'express-session';
import { KyselySessionStore } from '../../../../server/db/repositories/session-store';
import { createTestDb, testDialects, type TestDb } from '../../../support/test-db';

const call = <T>(fn: (cb: (err: unknown, value?: T) => void) => void) =>
  new Promise<T | undefined>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

const data = (expires: number, extra: Record<string, unknown> = {}) =>
  ({ cookie: { originalMaxAge: 1000, expires: new Date(expires) }, ...extra }) as unknown as SessionData;

describe.each(testDialects())('KyselySessionStore on %s', (dialect) => {
  let db: TestDb;
  afterEach(async () => db?.destroy());

  it('set then get › before expiry › same data; after expiry › none', async () => {
    db = await createTestDb(dialect);
    let now = 1_000;
    const store = new KyselySessionStore(db, { now: () => now });
    await call((cb) => store.set('s1', data(5_000, { oauthNonces: ['n1'] }), cb));

    expect(await call<SessionData | null>((cb) => store.get('s1', cb))).toMatchObject({ oauthNonces: ['n1'] });
    now = 6_000;
    expect(await call<SessionData | null>((cb) => store.get('s1', cb))).toBeNull();
    expect(await store.prune()).toBe(1);
  });

  it('set twice, touch, destroy › one row updated, then gone', async () => {
    db = await createTestDb(dialect);
    const store = new KyselySessionStore(db, { now: () => 1_000 });
    await call((cb) => store.set('s1', data(5_000, { oauthNonces: ['a'] }), cb));
    await call((cb) => store.set('s1', data(5_000, { oauthNonces: ['b'] }), cb));
    await call((cb) => store.touch('s1', data(9_000), cb));

    const rows = await db.kysely.selectFrom('sessions').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ sid: 's1', expires_at: 9_000 });
    expect(JSON.parse(rows[0]!.data)).toMatchObject({ oauthNonces: ['b'] });
    await call((cb) => store.destroy('s1', cb));
    expect(await db.kysely.selectFrom('sessions').selectAll().execute()).toHaveLength(0);
  });
});
