import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './database';
import * as initial from './migrations/0001-initial';
import * as inboxRateLimitWaits from './migrations/0002-inbox-rate-limit-waits';
import * as resolutionLocks from './migrations/0003-resolution-locks';
import * as responderListChoices from './migrations/0004-responder-list-choices';
import * as ghlRateLimit from './migrations/0005-ghl-rate-limit';
import * as automationCounters from './migrations/0006-automation-counters';
import * as inboxClaimIndexes from './migrations/0007-inbox-claim-indexes';
import * as inboxPartialIndexes from './migrations/0008-inbox-partial-indexes';

/**
 * The one migration set for both dialects, applied at start. Add a file under migrations/ and list it here;
 * a migration receives the dialect for the few types that differ (auto-increment keys).
 */
const MIGRATIONS = {
  '0001-initial': initial,
  '0002-inbox-rate-limit-waits': inboxRateLimitWaits,
  '0003-resolution-locks': resolutionLocks,
  '0004-responder-list-choices': responderListChoices,
  '0005-ghl-rate-limit': ghlRateLimit,
  '0006-automation-counters': automationCounters,
  '0007-inbox-claim-indexes': inboxClaimIndexes,
  '0008-inbox-partial-indexes': inboxPartialIndexes,
} satisfies Record<string, { up: (db: never, dialect: Db['dialect']) => Promise<void> }>;

export async function migrateToLatest(db: Db): Promise<void> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(MIGRATIONS)) out[name] = { up: (k) => m.up(k, db.dialect) };
      return out;
    },
  };
  // Kysely looks for its own migration tables in every schema it can see; pinned to the connection's schema, a
  // PostgreSQL database holding several schemas (parallel test runs, apps sharing a server) cannot mislead it.
  const migrationTableSchema =
    db.dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db.kysely)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({ db: db.kysely, provider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely's table introspection reads every schema's catalog; a schema dropped meanwhile by someone else fails it
  // with 3F000 (invalid_schema_name) before anything ran. Migrating again is safe: applied steps are recorded.
  for (let retry = 0; retry < 3 && (error as { code?: unknown } | undefined)?.code === '3F000'; retry++) {
    ({ error, results } = await migrator.migrateToLatest());
  }
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  }
}
