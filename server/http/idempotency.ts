import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { AppError, badRequest } from '../errors';
import type { Logger } from '../logger';
import type { IdempotencyRepository } from '../db/repositories/idempotency-repository';
import { IDEMPOTENCY_KEY_HEADER } from '../../shared/contracts/api-envelope';

/** How long a key answers with its first result (SPEC §2; the panel retries within seconds, 24 h is generous). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A reservation still unfinished after this long belongs to a process that died; another request may take it. */
const ABANDONED_AFTER_MS = 2 * 60 * 1000;
const PURGE_EVERY_MS = 10 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface IdempotentResult {
  status: number;
  body: unknown;
}

export interface IdempotencyOptions {
  /** How long a duplicate waits for the first request to finish before answering 409. */
  waitMs?: number;
  pollMs?: number;
  clock?: () => number;
}

/**
 * Runs panel writes at most once per `Idempotency-Key` (per location): the key is reserved atomically before the
 * write reaches GHL; a repeat answers the stored first result, a concurrent repeat waits for it, and the same key
 * with a different request is 422 `idempotency_key_reused`. Only successful answers are kept: a failed write
 * releases its key so the client's retry runs again.
 */
export class IdempotencyService {
  private readonly waitMs: number;
  private readonly pollMs: number;
  private readonly clock: () => number;
  private lastPurgeAt = 0;

  constructor(
    private readonly repo: IdempotencyRepository,
    private readonly logger: Logger,
    options: IdempotencyOptions = {},
  ) {
    this.waitMs = options.waitMs ?? 10_000;
    this.pollMs = options.pollMs ?? 50;
    this.clock = options.clock ?? Date.now;
  }

  /** Runs `work` unless this key already has (or is producing) an answer; returns the answer to send. */
  async run(
    scope: { locationId: string; key: string | undefined; requestHash: string },
    work: () => Promise<IdempotentResult>,
  ): Promise<IdempotentResult & { replayed: boolean }> {
    if (scope.key === undefined) return { ...(await work()), replayed: false };
    const { locationId, key, requestHash } = scope;
    this.purgeNowAndThen();
    const deadline = this.clock() + this.waitMs;
    for (;;) {
      const now = this.clock();
      const owned = await this.repo.reserve({
        locationId,
        key,
        requestHash,
        now,
        expiredBefore: now - IDEMPOTENCY_TTL_MS,
        abandonedBefore: now - ABANDONED_AFTER_MS,
      });
      if (owned) return { ...(await this.runOwned(locationId, key, now, work)), replayed: false };

      const existing = await this.repo.get(locationId, key);
      // Gone between our insert and read: the first request failed and released it. Try to take it again.
      if (!existing) continue;
      if (existing.requestHash !== requestHash) {
        throw new AppError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request');
      }
      if (existing.statusCode !== null && existing.response !== null) {
        return { status: existing.statusCode, body: JSON.parse(existing.response) as unknown, replayed: true };
      }
      if (this.clock() >= deadline) {
        throw new AppError(409, 'idempotency_in_progress', 'The same request is still being processed; try again shortly');
      }
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  private async runOwned(
    locationId: string,
    key: string,
    reservedAt: number,
    work: () => Promise<IdempotentResult>,
  ): Promise<IdempotentResult> {
    let result: IdempotentResult;
    try {
      result = await work();
    } catch (err) {
      await this.repo.release(locationId, key, reservedAt).catch((releaseErr: unknown) => {
        this.logger.warn({ err: releaseErr }, 'could not release an idempotency key');
      });
      throw err;
    }
    if (result.status >= 200 && result.status < 300) {
      await this.repo.complete(locationId, key, reservedAt, result.status, JSON.stringify(result.body));
    } else {
      await this.repo.release(locationId, key, reservedAt);
    }
    return result;
  }

  /** Keys past the window are also taken over on reserve; this only keeps the table small. */
  private purgeNowAndThen(): void {
    const now = this.clock();
    if (now - this.lastPurgeAt < PURGE_EVERY_MS) return;
    this.lastPurgeAt = now;
    this.repo.purgeBefore(now - IDEMPOTENCY_TTL_MS).catch((err: unknown) => {
      this.logger.warn({ err }, 'idempotency key purge failed');
    });
  }
}

/** JSON with object keys sorted, so the same body with keys in another order hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The key and request fingerprint (method, path without query, body) of an Express request. */
export function idempotencyScopeOf(req: Request, locationId: string): { locationId: string; key: string | undefined; requestHash: string } {
  const raw = req.get(IDEMPOTENCY_KEY_HEADER);
  let key: string | undefined;
  if (raw !== undefined && raw !== '') {
    if (!KEY_PATTERN.test(raw)) throw badRequest(`${IDEMPOTENCY_KEY_HEADER} must be 1–255 visible ASCII characters`);
    key = raw;
  }
  const path = `${req.baseUrl}${req.path}`;
  const requestHash = createHash('sha256')
    .update(`${req.method} ${path}\n${canonicalJson(req.body ?? null)}`)
    .digest('hex');
  return { locationId, key, requestHash };
}

/**
 * Answers a write route through the idempotency service: runs `work` once per key and sends its result (or
 * the stored first result, flagged with `Idempotent-Replayed: true`).
 */
export async function sendIdempotent(
  service: IdempotencyService,
  req: Request,
  res: Response,
  locationId: string,
  work: () => Promise<IdempotentResult>,
): Promise<void> {
  const result = await service.run(idempotencyScopeOf(req, locationId), work);
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.status(result.status).json(result.body);
}
