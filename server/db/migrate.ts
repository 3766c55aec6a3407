import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './database';
import * as initial from './migrations/0001-initial';

/**
 * The one migration set for both dialects, applied at start. Add a file under migrations/ and list it here;
 * a migration receives the dialect for the few types that differ (auto-increment keys).
 */
const MIGRATIONS = {
  '0001-initial': initial,
} satisfies Record<string, { up: (db: never, dialect: Db['dialect']) => Promise<void> }>;

export async function migrateToLatest(db: Db): Promise<void> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(MIGRATIONS)) out[name] = { up: (k) => m.up(k, db.dialect) };
      return out;
    },
  };
  const { error, results } = await new Migrator({ db: db.kysely, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  }
}
