import { Router } from 'express';
import { pingDatabase, type Db } from '../db/database';
import type { InboxRepository } from '../db/repositories/inbox-repository';
import type { InstallationRepository } from '../db/repositories/installation-repository';

export interface HealthDeps {
  db: Db;
  inbox: Pick<InboxRepository, 'countByStatus' | 'oldestPendingAgeMs'>;
  installations: Pick<InstallationRepository, 'countLocationsByStatus'>;
  /** The counts are reused this long (default 5 s): a load balancer polls often and they scan the inbox. */
  detailsMaxAgeMs?: number;
  now?: () => number;
}

/** The body of a healthy `/healthz`. */
export interface HealthReport {
  status: 'ok';
  database: true;
  /** Age of the oldest event due and not yet run (0 when none). */
  workerLagSeconds: number;
  /** Events not finished yet: waiting, waiting for a retry, or running. */
  pendingEvents: number;
  locationsNeedingReconnect: number;
}

type Details = Omit<HealthReport, 'status' | 'database'>;

/**
 * `GET /healthz` (SPEC §2): 200 with the worker's lag, the backlog and the locations needing reconnect while the
 * database answers; 503 `{status:"unavailable", database:false}` when it does not, so a load balancer takes the
 * process out. The database is asked on every call; the counts may be a few seconds old.
 */
export function healthRouter(deps: HealthDeps): Router {
  const now = deps.now ?? Date.now;
  const maxAgeMs = deps.detailsMaxAgeMs ?? 5_000;
  let cached: { at: number; details: Details } | undefined;

  const details = async (): Promise<Details> => {
    const t = now();
    if (cached && t - cached.at < maxAgeMs) return cached.details;
    const [counts, lagMs, locations] = await Promise.all([
      deps.inbox.countByStatus(),
      deps.inbox.oldestPendingAgeMs(t),
      deps.installations.countLocationsByStatus(),
    ]);
    const fresh = {
      workerLagSeconds: Math.round(lagMs / 100) / 10,
      pendingEvents: counts.pending + counts.failed + counts.processing,
      locationsNeedingReconnect: locations.needs_reconnect,
    };
    cached = { at: t, details: fresh };
    return fresh;
  };

  const router = Router();
  router.get('/healthz', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    let report: HealthReport | undefined;
    if (await pingDatabase(deps.db)) {
      try {
        report = { status: 'ok', database: true, ...(await details()) };
      } catch (err) {
        // The database answers `select 1` but not our tables (a migration missing, a lock timeout): not healthy.
        req.log?.error({ err }, 'health details unavailable');
      }
    }
    if (report) res.json(report);
    else res.status(503).json({ status: 'unavailable', database: false });
  });
  return router;
}
