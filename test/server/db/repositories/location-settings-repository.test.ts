import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultRules } from '../../../../server/automations/default-rules';
import { DEFAULT_COUNTRY_CACHE_MS, LocationSettingsRepository } from '../../../../server/db/repositories/location-settings-repository';
import { createTestDb, testDialects, type TestDb } from '../../../support/test-db';

describe.each(testDialects())('LocationSettingsRepository on %s', (dialect) => {
  let db: TestDb;
  afterEach(async () => {
    vi.useRealTimers();
    await db?.destroy();
  });

  it('get › never saved › defaults (IL, 10:00, no keywords, the seed rules)', async () => {
    db = await createTestDb(dialect);
    const repo = new LocationSettingsRepository(db);
    expect(await repo.get('L1')).toEqual({
      defaults: { country: 'IL', followUpKeywords: [], taskDueHour: 10 },
      dryRun: false,
      rules: defaultRules(),
    });
    expect((await repo.getVersioned('L1')).version).toBe(0);
  });

  it('defaultCountry › saved here › new country at once; saved by another process › once the cache expires', async () => {
    db = await createTestDb(dialect);
    vi.useFakeTimers({ toFake: ['Date'] });
    const repo = new LocationSettingsRepository(db);
    const otherProcess = new LocationSettingsRepository(db);
    expect(await repo.defaultCountry('L1')).toBe('IL');
    await repo.save('L1', { defaults: { country: 'US' } }, 'u1');
    expect(await repo.defaultCountry('L1')).toBe('US');
    await otherProcess.save('L1', { defaults: { country: 'GB' } }, 'u1');
    vi.advanceTimersByTime(DEFAULT_COUNTRY_CACHE_MS);
    expect(await repo.defaultCountry('L1')).toBe('GB');
    expect(await repo.defaultCountry('L2')).toBe('IL');
  });

  it('get › read twice, then saved by another process › the same frozen object, then the new version', async () => {
    db = await createTestDb(dialect);
    const repo = new LocationSettingsRepository(db);
    await repo.save('L1', { defaults: { followUpKeywords: ['מחיר'] } }, 'u1');
    const first = await repo.get('L1');
    expect(await repo.get('L1')).toBe(first);
    expect(Object.isFrozen(first.defaults.followUpKeywords)).toBe(true);
    expect(() => (first.rules as unknown[]).push('x')).toThrow(TypeError);

    await new LocationSettingsRepository(db).save('L1', { defaults: { followUpKeywords: ['הצעה'] } }, 'u2');
    expect((await repo.get('L1')).defaults.followUpKeywords).toEqual(['הצעה']);
  });

  it('save › twice › version goes 1 then 2, defaults filled, Hebrew keywords kept', async () => {
    db = await createTestDb(dialect);
    const repo = new LocationSettingsRepository(db);
    const first = await repo.save('L1', { defaults: { followUpKeywords: ['מחיר'], lastMessageFieldId: 'fld1' } }, 'u1');
    expect(first.version).toBe(1);
    const second = await repo.save('L1', { defaults: { taskDueHour: 9 }, dryRun: true }, 'u2');
    expect(second.version).toBe(2);
    const read = await repo.getVersioned('L1');
    expect(read.settings.defaults).toEqual({ country: 'IL', followUpKeywords: [], taskDueHour: 9 });
    expect(read.settings.dryRun).toBe(true);
    expect(read.updatedBy).toBe('u2');
    await repo.save('L1', { defaults: { followUpKeywords: ['מחיר'], lastMessageFieldId: 'fld1' } }, 'u1');
    expect((await repo.get('L1')).defaults).toMatchObject({ followUpKeywords: ['מחיר'], lastMessageFieldId: 'fld1' });
  });

  it('save › stale expectedVersion or invalid hour › conflict / validation_failed, nothing changed', async () => {
    db = await createTestDb(dialect);
    const repo = new LocationSettingsRepository(db);
    await repo.save('L1', {}, null);
    await expect(repo.save('L1', {}, null, { expectedVersion: 0 })).rejects.toMatchObject({ code: 'conflict' });
    await expect(repo.save('L1', { defaults: { taskDueHour: 24 } }, null)).rejects.toMatchObject({
      code: 'validation_failed',
    });
    expect((await repo.getVersioned('L1')).version).toBe(1);
  });
});
