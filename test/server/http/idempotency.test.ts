import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../server/errors';
import { IdempotencyRepository } from '../../../server/db/repositories/idempotency-repository';
import { IDEMPOTENCY_TTL_MS, IdempotencyService } from '../../../server/http/idempotency';
import { createLogger } from '../../../server/logger';
import { createTestDb, testDialects, type TestDb } from '../../support/test-db';
import { apiCalls, bearer, startPanelWorld, type PanelWorld } from './panel-api-test-kit';

describe.each(testDialects())('Idempotency-Key on panel writes (%s)', (dialect) => {
  let world: PanelWorld;
  afterEach(async () => world?.close());

  async function arrange() {
    world = await startPanelWorld(dialect);
    const loc = await world.installLocation();
    const contact = world.sim.addContact(loc.id, { firstName: 'Dana' });
    const token = await world.sessionToken(loc);
    const post = (key: string | undefined, body: object, contactId = contact.id) => {
      const req = request(world.app).post(`/api/contacts/${contactId}/notes`).set('Authorization', bearer(token));
      return (key ? req.set('Idempotency-Key', key) : req).send(body);
    };
    return { loc, contact, token, post };
  }

  it('same key twice in a row › one note at GHL, same 201 body, second flagged as replayed', async () => {
    const { contact, post } = await arrange();
    const first = await post('k-1', { body: 'פעם אחת בלבד' });
    const second = await post('k-1', { body: 'פעם אחת בלבד' });

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(world.sim.getNotes(contact.id)).toHaveLength(1);
    expect(apiCalls(world.sim).filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('same key sent concurrently › one note at GHL, every answer the same 201 body', async () => {
    const { contact, post } = await arrange();
    world.sim.setFaults({ latencyMs: 150 });
    const answers = await Promise.all(Array.from({ length: 5 }, () => post('k-concurrent', { body: 'double click' })));

    for (const res of answers) {
      expect(res.status).toBe(201);
      expect(res.body).toEqual(answers[0]!.body);
    }
    expect(world.sim.getNotes(contact.id)).toHaveLength(1);
  });

  it('same key, different body › 422 idempotency_key_reused, nothing written', async () => {
    const { contact, post } = await arrange();
    await post('k-2', { body: 'first' });
    const res = await post('k-2', { body: 'second' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('idempotency_key_reused');
    expect(world.sim.getNotes(contact.id).map((n) => n.body)).toEqual(['first']);
  });

  it('no key › two requests › two notes', async () => {
    const { contact, post } = await arrange();
    await post(undefined, { body: 'a' });
    await post(undefined, { body: 'a' });
    expect(world.sim.getNotes(contact.id)).toHaveLength(2);
  });

  it('write fails at GHL › key released › the retry with the same key writes once', async () => {
    const { contact, post } = await arrange();
    world.sim.setFaults({ errorRate: 1 });
    const failed = await post('k-3', { body: 'retry me' });
    world.sim.resetFaults();
    const retried = await post('k-3', { body: 'retry me' });
    const again = await post('k-3', { body: 'retry me' });

    expect(failed.status).toBe(502);
    expect(retried.status).toBe(201);
    expect(again.body).toEqual(retried.body);
    expect(world.sim.getNotes(contact.id)).toHaveLength(1);
  });

  it('keys are per location › the same key in two locations › each writes its own note', async () => {
    const { contact, post } = await arrange();
    const other = await world.installLocation();
    const otherContact = world.sim.addContact(other.id, { firstName: 'Other' });
    const otherToken = await world.sessionToken(other);

    await post('shared-key', { body: 'A' });
    const res = await request(world.app)
      .post(`/api/contacts/${otherContact.id}/notes`)
      .set('Authorization', bearer(otherToken))
      .set('Idempotency-Key', 'shared-key')
      .send({ body: 'A' });

    expect(res.status).toBe(201);
    expect(world.sim.getNotes(contact.id)).toHaveLength(1);
    expect(world.sim.getNotes(otherContact.id)).toHaveLength(1);
  });

  it('tags and tasks › repeated with one key › written once', async () => {
    const { contact, token } = await arrange();
    const send = () =>
      request(world.app)
        .post(`/api/contacts/${contact.id}/tasks`)
        .set('Authorization', bearer(token))
        .set('Idempotency-Key', 'task-key')
        .send({ title: 'once', dueDate: '2025-05-01T07:00:00.000Z' });
    const [a, b] = [await send(), await send()];
    expect(a.body).toEqual(b.body);
    expect(world.sim.getTasks(contact.id)).toHaveLength(1);
  });

  it('malformed key › 400', async () => {
    const { post } = await arrange();
    const res = await post('has spaces in it', { body: 'x' });
    expect(res.status).toBe(400);
  });
});

describe.each(testDialects())('IdempotencyService (%s)', (dialect) => {
  let db: TestDb;
  afterEach(async () => db?.destroy());
  const logger = createLogger('silent');

  it('IdempotencyService › first request still running past the wait › 409 idempotency_in_progress', async () => {
    db = await createTestDb(dialect);
    const service = new IdempotencyService(new IdempotencyRepository(db), logger, { waitMs: 50, pollMs: 5 });
    const scope = { locationId: 'L', key: 'k', requestHash: 'h' };
    let release!: () => void;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = service.run(scope, () => {
      started();
      return new Promise((resolve) => (release = () => resolve({ status: 201, body: { ok: 1 } })));
    });
    await running;

    const second = await service.run(scope, async () => ({ status: 201, body: { ok: 2 } })).catch((e: unknown) => e);

    expect(second).toBeInstanceOf(AppError);
    expect((second as AppError).code).toBe('idempotency_in_progress');
    release();
    expect(await first).toMatchObject({ status: 201, body: { ok: 1 }, replayed: false });
  });

  it('IdempotencyService › key older than 24 h › runs again and replaces the old answer', async () => {
    db = await createTestDb(dialect);
    let now = Date.UTC(2025, 0, 1);
    const repo = new IdempotencyRepository(db);
    const service = new IdempotencyService(repo, logger, { clock: () => now });
    const scope = { locationId: 'L', key: 'k', requestHash: 'h' };
    let runs = 0;
    const work = async () => ({ status: 201, body: { run: ++runs } });

    await service.run(scope, work);
    now += IDEMPOTENCY_TTL_MS - 1;
    const within = await service.run(scope, work);
    now += 2;
    const after = await service.run(scope, work);

    expect(within).toMatchObject({ body: { run: 1 }, replayed: true });
    expect(after).toMatchObject({ body: { run: 2 }, replayed: false });
  });

  it('IdempotencyService › reservation abandoned by a dead process › taken over after two minutes', async () => {
    db = await createTestDb(dialect);
    let now = Date.UTC(2025, 0, 1);
    const repo = new IdempotencyRepository(db);
    await repo.reserve({ locationId: 'L', key: 'k', requestHash: 'h', now, expiredBefore: 0, abandonedBefore: 0 });
    now += 2 * 60_000 + 1;
    const service = new IdempotencyService(repo, logger, { clock: () => now, waitMs: 0 });

    const result = await service.run({ locationId: 'L', key: 'k', requestHash: 'h' }, async () => ({ status: 201, body: 'x' }));

    expect(result).toMatchObject({ status: 201, body: 'x', replayed: false });
  });

  it('IdempotencyRepository › purgeBefore › old keys deleted, recent kept', async () => {
    db = await createTestDb(dialect);
    const repo = new IdempotencyRepository(db);
    const base = { locationId: 'L', requestHash: 'h', expiredBefore: 0, abandonedBefore: 0 };
    await repo.reserve({ ...base, key: 'old', now: 1_000 });
    await repo.reserve({ ...base, key: 'new', now: 1_000 + IDEMPOTENCY_TTL_MS });

    const removed = await repo.purgeBefore(1_000 + IDEMPOTENCY_TTL_MS);

    expect(removed).toBe(1);
    expect(await repo.get('L', 'old')).toBeUndefined();
    expect(await repo.get('L', 'new')).toBeDefined();
  });

  it('IdempotencyRepository › two reserves of one key › exactly one wins', async () => {
    db = await createTestDb(dialect);
    const repo = new IdempotencyRepository(db);
    const input = { locationId: 'L', key: 'k', requestHash: 'h', now: 5, expiredBefore: 0, abandonedBefore: 0 };
    const results = await Promise.all([repo.reserve(input), repo.reserve(input), repo.reserve(input)]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
