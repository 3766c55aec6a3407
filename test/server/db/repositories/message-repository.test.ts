import { afterEach, describe, expect, it } from 'vitest';
import { MessageRepository, type NewMessage } from '../../../../server/db/repositories/message-repository';
import { createTestDb, testDialects, type TestDb } from '../../../support/test-db';

const msg = (i: number, overrides: Partial<NewMessage> = {}): NewMessage => ({
  locationId: 'L1',
  contactId: 'C1',
  inboxEventId: `evt_${i}`,
  eventType: 'message.sent',
  channel: 'email',
  direction: 'outbound',
  subject: null,
  text: `message ${i}`,
  url: null,
  listName: null,
  occurredAt: 1_000 + Math.floor(i / 2),
  ...overrides,
});

describe.each(testDialects())('MessageRepository on %s', (dialect) => {
  let db: TestDb;
  afterEach(async () => db?.destroy());

  it('insert › same inbox event twice › stored once', async () => {
    db = await createTestDb(dialect);
    const messages = new MessageRepository(db);
    expect(await messages.insert(msg(1))).toBe(true);
    expect(await messages.insert(msg(1, { text: 'again' }))).toBe(false);
    const page = await messages.page('L1', 'C1');
    expect(page.messages.map((m) => m.text)).toEqual(['message 1']);
  });

  it('page › 25 messages with equal times › keyset pages newest first, no gaps or repeats', async () => {
    db = await createTestDb(dialect);
    const messages = new MessageRepository(db);
    for (let i = 0; i < 25; i += 1) await messages.insert(msg(i));
    await messages.insert(msg(99, { contactId: 'other' }));
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await messages.page('L1', 'C1', { limit: 10, cursor });
      seen.push(...page.messages.map((m) => m.inboxEventId));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(seen[0]).toBe('evt_24');
    expect(seen[24]).toBe('evt_0');
  });

  it('page › q with Hebrew, bidi marks, case and LIKE wildcards › matches subject/text/url/list literally', async () => {
    db = await createTestDb(dialect);
    const messages = new MessageRepository(db);
    await messages.insert(msg(1, { text: 'שלום\u200F, מה המחיר?' }));
    await messages.insert(msg(2, { subject: 'Big SALE 100%', text: null }));
    await messages.insert(msg(3, { text: 'nothing', listName: 'מתעניינים' }));
    await messages.insert(msg(4, { text: '100 percent' }));
    const q = async (term: string) => (await messages.page('L1', 'C1', { q: term })).messages.map((m) => m.inboxEventId);
    expect(await q('שלום, מה')).toEqual(['evt_1']);
    expect(await q('sale')).toEqual(['evt_2']);
    expect(await q('100%')).toEqual(['evt_2']);
    expect(await q('מתעניינים')).toEqual(['evt_3']);
    expect(await q('_')).toEqual([]);
    const stored = (await messages.page('L1', 'C1', { q: 'שלום' })).messages[0];
    expect(stored?.text).toBe('שלום\u200F, מה המחיר?');
  });

  it('page › channel filter and a bad cursor › filtered; bad cursor is invalid_cursor', async () => {
    db = await createTestDb(dialect);
    const messages = new MessageRepository(db);
    await messages.insert(msg(1, { channel: 'sms' }));
    await messages.insert(msg(2));
    expect((await messages.page('L1', 'C1', { channel: 'sms' })).messages.map((m) => m.inboxEventId)).toEqual(['evt_1']);
    await expect(messages.page('L1', 'C1', { cursor: 'nope' })).rejects.toMatchObject({ code: 'invalid_cursor' });
  });
});
