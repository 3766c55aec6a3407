import { afterEach, describe, expect, it } from 'vitest';
import { defaultRules } from '../../../../server/automations/default-rules';
import { LocationSettingsRepository } from '../../../../server/db/repositories/location-settings-repository';
import { createTestDb, testDialects, type TestDb } from '../../../support/test-db';

describe.each(testDialects())('LocationSettingsRepository on %s', (dialect) => {
  let db: TestDb;
  afterEach(async () => db?.destroy());

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
