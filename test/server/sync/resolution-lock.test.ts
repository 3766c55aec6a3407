import { afterEach, describe, expect, it } from 'vitest';
import { ResolutionLockRepository } from '../../../server/db/repositories/resolution-lock-repository';
import { ResolutionLock } from '../../../server/sync/resolution-lock';
import { createTestDb, testDialects, type TestDb } from '../../support/test-db';

describe.each(testDialects())('ResolutionLock on %s', (dialect) => {
  let db: TestDb;
  afterEach(async () => db?.destroy());

  it('ResolutionLock › two processes, 20 runs on one location › never overlap; other locations unaffected', async () => {
    db = await createTestDb(dialect);
    const repo = new ResolutionLockRepository(db);
    const processes = [new ResolutionLock({ repo, owner: 'p1', pollMs: 2 }), new ResolutionLock({ repo, owner: 'p2', pollMs: 2 })];
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    const runs = Array.from({ length: 20 }, (_, i) =>
      processes[i % 2]!.run('L1', async () => {
        inside += 1;
        maxInside = Math.max(maxInside, inside);
        await new Promise((resolve) => setTimeout(resolve, 1));
        order.push(i);
        inside -= 1;
        return i;
      }),
    );
    const other = processes[0]!.run('L2', async () => 'free');
    expect(await Promise.all(runs)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await other).toBe('free');
    expect(maxInside).toBe(1);
    expect(order).toHaveLength(20);
    expect(await db.kysely.selectFrom('resolution_locks').selectAll().execute()).toEqual([]);
  });

  it('ResolutionLock › the work throws › lease released and the error passed on', async () => {
    db = await createTestDb(dialect);
    const lock = new ResolutionLock({ repo: new ResolutionLockRepository(db), owner: 'p1' });
    await expect(lock.run('L1', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await lock.run('L1', async () => 'again')).toBe('again');
  });

  it('ResolutionLock › a crashed holder’s lease › taken over once it expires', async () => {
    db = await createTestDb(dialect);
    const repo = new ResolutionLockRepository(db);
    await repo.tryAcquire('L1', 'dead-process', 50, Date.now());
    const lock = new ResolutionLock({ repo, owner: 'p2', pollMs: 5 });
    expect(await lock.run('L1', async () => 'took over')).toBe('took over');
  });
});
