/**
 * `npm run rotate-key`: re-seals every stored secret under the current APP_ENCRYPTION_KEY.
 *
 * 1. Set APP_ENCRYPTION_KEY to the new key and APP_ENCRYPTION_KEY_PREVIOUS to the old one(s), then run this.
 * 2. When it reports 0 values left under old keys (run it twice to check), remove APP_ENCRYPTION_KEY_PREVIOUS.
 * Safe to run while the app runs: each value is written only if unchanged since it was read.
 */
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { reencryptAll } from '../security/reencrypt';
import { SecretBox } from '../security/secret-box';

async function main(): Promise<void> {
  const config = loadConfig();
  const db = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(db);
    const box = new SecretBox(config.encryption.key, config.encryption.previousKeys);
    const report = await reencryptAll(db, box);
    process.stdout.write(
      `Re-encrypted ${report.values} value(s) under key ${box.currentKeyId} ` +
        `(companies: ${report.rows.companies}, locations: ${report.rows.locations}, ` +
        `responder connections: ${report.rows.responder_connections}); ` +
        `${report.current} already current, ${report.raced} changed meanwhile (already current).\n`,
    );
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`rotate-key failed: ${message}\n`);
  process.exit(1);
});
