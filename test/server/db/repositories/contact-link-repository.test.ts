import { afterEach, describe, expect, it } from 'vitest';
import { ContactLinkRepository } from '../../../../server/db/repositories/contact-link-repository';
import { ContactStateRepository } from '../../../../server/db/repositories/contact-state-repository';
import { OwnWriteRepository } from '../../../../server/db/repositories/own-write-repository';
import { ResolutionLockRepository } from '../../../../server/db/repositories/resolution-lock-repository';
import { createTestDb, testDialects, type TestDb } from '../../../support/test-db';

describe.each(testDialects())('contact sync repositories on %s', (dialect) => {
  let db: TestDb;
  afterEach(async () => db?.destroy());

  it('ContactLinkRepository › link then find › matches in subscriber → email → phone order', async () => {
    db = await createTestDb(dialect);
    const links = new ContactLinkRepository(db);
    await links.link('L1', { phone: '+972541234567' }, 'C-phone');
    await links.link('L1', { subscriberId: '55', email: 'Dana@Example.com' }, 'C-main');
    const found = await links.find('L1', { email: 'dana@example.com', phone: '+972541234567', subscriberId: '55' });
    expect(found.map((m) => [m.keyType, m.contactId])).toEqual([
      ['subscriber', 'C-main'],
      ['email', 'C-main'],
      ['phone', 'C-phone'],
    ]);
    expect(await links.find('L2', { email: 'dana@example.com' })).toEqual([]);
  });

  it('ContactLinkRepository › relink a key › moves it; unlinkContact removes only that contact', async () => {
    db = await createTestDb(dialect);
    const links = new ContactLinkRepository(db);
    await links.link('L1', { email: 'a@x.io', phone: '+972501111111' }, 'C1');
    await links.link('L1', { email: 'a@x.io' }, 'C2');
    expect((await links.find('L1', { email: 'a@x.io' }))[0]?.contactId).toBe('C2');
    expect(await links.unlinkContact('L1', 'C1')).toBe(1);
    expect(await links.find('L1', { phone: '+972501111111' })).toEqual([]);
    expect(await links.listForContact('L1', 'C2')).toHaveLength(1);
  });

  it('ContactStateRepository › snapshot and last message › older message never replaces a newer one', async () => {
    db = await createTestDb(dialect);
    const states = new ContactStateRepository(db);
    await states.saveSnapshot('L1', { id: 'C1', firstName: 'דנה', tags: ['a'], customFields: [] });
    expect(await states.recordLastMessage('L1', 'C1', { text: 'חדש', at: 2_000 })).toBe(true);
    expect(await states.recordLastMessage('L1', 'C1', { text: 'ישן', at: 1_000 })).toBe(false);
    await states.saveSnapshot('L1', { id: 'C1', firstName: 'דנה', tags: ['a', 'b'], customFields: [] });
    const state = await states.get('L1', 'C1');
    expect(state?.snapshot?.tags).toEqual(['a', 'b']);
    expect(state?.snapshot?.firstName).toBe('דנה');
    expect(state?.lastMessageText).toBe('חדש');
    expect(state?.lastMessageAt).toBe(2_000);
    await states.delete('L1', 'C1');
    expect(await states.get('L1', 'C1')).toBeUndefined();
  });

  it('OwnWriteRepository › recent › only that contact since the given time, oldest first', async () => {
    db = await createTestDb(dialect);
    const writes = new OwnWriteRepository(db);
    await writes.record('L1', 'C1', 'note', { ref: 'e1' }, 1_000);
    await writes.record('L1', 'C1', 'tags_added', { tags: ['x'] }, 2_000);
    await writes.record('L1', 'C2', 'task', {}, 2_500);
    const recent = await writes.recent('L1', 'C1', 1_500);
    expect(recent.map((w) => [w.kind, w.detail])).toEqual([['tags_added', { tags: ['x'] }]]);
    expect(await writes.purgeBefore(2_000)).toBe(1);
  });

  it('ResolutionLockRepository › two owners › one holds it until release or expiry', async () => {
    db = await createTestDb(dialect);
    const locks = new ResolutionLockRepository(db);
    expect(await locks.tryAcquire('L1', 'a', 1_000, 10_000)).toBe(true);
    expect(await locks.tryAcquire('L1', 'b', 1_000, 10_500)).toBe(false);
    expect(await locks.tryAcquire('L2', 'b', 1_000, 10_500)).toBe(true);
    expect(await locks.tryAcquire('L1', 'a', 1_000, 10_600)).toBe(true);
    await locks.release('L1', 'b');
    expect(await locks.tryAcquire('L1', 'b', 1_000, 11_000)).toBe(false);
    expect(await locks.tryAcquire('L1', 'b', 1_000, 11_601)).toBe(true);
    await locks.release('L1', 'b');
    expect(await locks.tryAcquire('L1', 'a', 1_000, 11_700)).toBe(true);
  });

  it('ResolutionLockRepository › ten racing owners › exactly one wins', async () => {
    db = await createTestDb(dialect);
    const locks = new ResolutionLockRepository(db);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => locks.tryAcquire('L1', `o${i}`, 5_000, 1_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
