import { randomBytes } from 'node:crypto';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { InboxRepository } from '../../../server/db/repositories/inbox-repository';
import { InstallationRepository } from '../../../server/db/repositories/installation-repository';
import { errorHandler } from '../../../server/errors';
import { healthRouter, type HealthDeps } from '../../../server/http/health-route';
import { requestContext } from '../../../server/http/request-context';
import { SecretBox } from '../../../server/security/secret-box';
import { inboxEvent } from '../../support/inbox-factory';
import { createTestDb, testDialects, type TestDb } from '../../support/test-db';

const logger = pino({ level: 'silent' });

function appWith(deps: HealthDeps) {
  const app = express();
  app.use(requestContext(logger));
  app.use(healthRouter(deps));
  app.use(errorHandler(logger));
  return app;
}

describe.each(testDialects())('GET /healthz on %s', (dialect) => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.destroy().catch(() => undefined);
    db = undefined;
  });

  async function setup(now?: () => number) {
    db = await createTestDb(dialect);
    const inbox = new InboxRepository(db);
    const installations = new InstallationRepository(db, new SecretBox(randomBytes(32)));
    return { db, inbox, installations, app: appWith({ db, inbox, installations, ...(now ? { now } : {}) }) };
  }

  it('database answers › backlog, lag and a location awaiting reconnect › 200 with the figures', async () => {
    const { inbox, installations, app } = await setup();
    const now = Date.now();
    await inbox.insert(inboxEvent({ nextRunAt: now - 12_000 }));
    await inbox.insert(inboxEvent({ nextRunAt: now + 60_000 }));
    await inbox.insert(inboxEvent({ status: 'ignored' }));
    await installations.recordPendingLocationInstall({ locationId: 'loc-parked', companyId: null, now });
    await installations.upsertLocationInstallation({
      locationId: 'loc-ok',
      companyId: null,
      tokenSource: 'location',
      tokens: { accessToken: 'a', refreshToken: 'r', expiresAt: now + 3_600_000, scopes: null },
      now,
    });

    const res = await request(app).get('/healthz');

    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      status: 'ok',
      database: true,
      workerLagSeconds: expect.any(Number),
      pendingEvents: 2,
      locationsNeedingReconnect: 1,
    });
    expect(res.body.workerLagSeconds).toBeGreaterThanOrEqual(12);
    expect(res.body.workerLagSeconds).toBeLessThan(60);
  });

  it('database answers › nothing stored › 200 with zeros', async () => {
    const { app } = await setup();

    const res = await request(app).get('/healthz');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: true, workerLagSeconds: 0, pendingEvents: 0, locationsNeedingReconnect: 0 });
  });

  it('details › asked twice within the cache age › counted once; after it › counted again', async () => {
    let t = Date.now();
    const { inbox, app } = await setup(() => t);
    await request(app).get('/healthz');
    await inbox.insert(inboxEvent());

    const cachedRes = await request(app).get('/healthz');
    t += 5_000;
    const freshRes = await request(app).get('/healthz');

    expect(cachedRes.body.pendingEvents).toBe(0);
    expect(freshRes.body.pendingEvents).toBe(1);
  });

  it('database gone › 503 {status:unavailable, database:false}', async () => {
    const { app, db: gone } = await setup();
    await gone.close();

    const res = await request(app).get('/healthz');

    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', database: false });
  });

  it('database answers but the counts fail › 503, never a 500', async () => {
    const { db: live, installations } = await setup();
    const failing = {
      countByStatus: () => Promise.reject(new Error('no such table: inbox_events')),
      oldestPendingAgeMs: () => Promise.resolve(0),
    };
    const app = appWith({ db: live, inbox: failing, installations });

    const res = await request(app).get('/healthz');

    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', database: false });
  });
});
