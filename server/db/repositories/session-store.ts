import session, { type SessionData } from 'express-session';
import type { Db } from '../database';

const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * express-session Store over the `sessions` table, so a browser session (and the OAuth state bound to it)
 * survives restarts and works behind several web processes. Expired rows are never returned and are pruned
 * now and then on write.
 */
export class KyselySessionStore extends session.Store {
  private writes = 0;

  constructor(
    private readonly db: Db,
    private readonly options: { ttlMs?: number; now?: () => number; pruneEvery?: number } = {},
  ) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.db.kysely
      .selectFrom('sessions')
      .select(['data', 'expires_at'])
      .where('sid', '=', sid)
      .executeTakeFirst()
      .then((row) => {
        if (!row || row.expires_at <= this.now()) return callback(null, null);
        callback(null, JSON.parse(row.data) as SessionData);
      })
      .catch((err: unknown) => callback(err));
  }

  override set(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
    const expiresAt = this.expiryOf(data);
    this.db.kysely
      .insertInto('sessions')
      .values({ sid, data: JSON.stringify(data), expires_at: expiresAt })
      .onConflict((oc) => oc.column('sid').doUpdateSet({ data: JSON.stringify(data), expires_at: expiresAt }))
      .execute()
      .then(() => this.maybePrune())
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(err));
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.db.kysely
      .deleteFrom('sessions')
      .where('sid', '=', sid)
      .execute()
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(err));
  }

  override touch(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
    this.db.kysely
      .updateTable('sessions')
      .set({ expires_at: this.expiryOf(data) })
      .where('sid', '=', sid)
      .execute()
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(err));
  }

  /** Deletes expired sessions; returns how many. */
  async prune(): Promise<number> {
    const result = await this.db.kysely.deleteFrom('sessions').where('expires_at', '<=', this.now()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private async maybePrune(): Promise<void> {
    this.writes += 1;
    if (this.writes % (this.options.pruneEvery ?? 100) === 0) await this.prune();
  }

  private expiryOf(data: SessionData): number {
    const expires = data.cookie?.expires;
    if (expires) return new Date(expires).getTime();
    return this.now() + (this.options.ttlMs ?? DEFAULT_TTL_MS);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
