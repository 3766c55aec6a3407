/**
 * A separate process for the cross-process refresh test: its own database pool, TokenService and
 * single-flight map over the shared database. Prints `ready`, waits for `go` on stdin, then asks for the
 * location's token CALLS times at once and prints `{"tokens":[…]}` (or `{"error":…}`).
 * Env: DATABASE_URL, APP_ENCRYPTION_KEY (base64), GHL_API_BASE_URL, GHL_CLIENT_ID, GHL_CLIENT_SECRET,
 * LOCATION_ID, CALLS.
 */
import { createInterface } from 'node:readline';
import { openDatabase } from '../../server/db/database';
import { InstallationRepository } from '../../server/db/repositories/installation-repository';
import { GhlOAuthClient } from '../../server/integrations/ghl/ghl-oauth-client';
import { createLogger } from '../../server/logger';
import { TokenService } from '../../server/oauth/token-service';
import { SecretBox } from '../../server/security/secret-box';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

async function main(): Promise<void> {
  const db = openDatabase(env('DATABASE_URL'));
  const logger = createLogger('silent');
  const installations = new InstallationRepository(db, new SecretBox(Buffer.from(env('APP_ENCRYPTION_KEY'), 'base64')));
  const oauth = new GhlOAuthClient({
    baseUrl: env('GHL_API_BASE_URL'),
    clientId: env('GHL_CLIENT_ID'),
    clientSecret: env('GHL_CLIENT_SECRET'),
    timeoutMs: 10_000,
    logger,
  });
  const tokens = new TokenService({ installations, oauth, logger, pollMs: 10 });
  // Warm the pool so both processes start their calls as close together as possible.
  await installations.getLocation(env('LOCATION_ID'));
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === 'go') break;
  lines.close();
  try {
    const calls = Number(env('CALLS'));
    const result = await Promise.all(Array.from({ length: calls }, () => tokens.getAccessToken(env('LOCATION_ID'))));
    process.stdout.write(`${JSON.stringify({ tokens: result })}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
