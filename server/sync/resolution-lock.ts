import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ResolutionLockRepository } from '../db/repositories/resolution-lock-repository';

export interface ResolutionLockOptions {
  repo: ResolutionLockRepository;
  /** This process's owner id (default host:pid:random). */
  owner?: string;
  /** How long a taken lease lasts without renewal; a crashed holder blocks others at most this long. */
  leaseMs?: number;
  /** Sleep between tries while another process holds the lease (jittered). */
  pollMs?: number;
  /** Give up (a retryable error) after waiting this long for the lease. */
  maxWaitMs?: number;
  now?: () => number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Serialises contact resolution per location (SPEC §3). Inside one process, callers queue on a per-location
 * promise chain, so only the head of the queue polls the database; across processes, the head holds a DB
 * lease (`resolution_locks`), renewed while the work runs (GHL calls can wait on the rate limiter).
 */
export class ResolutionLock {
  private readonly repo: ResolutionLockRepository;
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly tails = new Map<string, Promise<void>>();

  constructor(opts: ResolutionLockOptions) {
    this.repo = opts.repo;
    this.owner = opts.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 25;
    this.maxWaitMs = opts.maxWaitMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Runs `fn` while holding the location's resolution lease; one at a time per location across processes. */
  async run<T>(locationId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(locationId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(locationId, tail);
    try {
      await previous;
      return await this.withLease(locationId, fn);
    } finally {
      release();
      if (this.tails.get(locationId) === tail) this.tails.delete(locationId);
    }
  }

  private async withLease<T>(locationId: string, fn: () => Promise<T>): Promise<T> {
    const started = this.now();
    while (!(await this.repo.tryAcquire(locationId, this.owner, this.leaseMs, this.now()))) {
      if (this.now() - started > this.maxWaitMs) {
        throw new Error(`Contact resolution for location ${locationId} is busy in another process; will retry`);
      }
      await sleep(this.pollMs / 2 + Math.random() * this.pollMs);
    }
    // Renew at a third of the lease so a slow GHL call (rate-limit wait, timeout) never lets another process in.
    let renewing: Promise<unknown> = Promise.resolve();
    const renew = setInterval(() => {
      renewing = this.repo.tryAcquire(locationId, this.owner, this.leaseMs, this.now()).catch(() => undefined);
    }, Math.max(1, Math.floor(this.leaseMs / 3)));
    renew.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      // A renewal still in flight would re-insert the row after the release and block other processes.
      await renewing;
      await this.repo.release(locationId, this.owner);
    }
  }
}
