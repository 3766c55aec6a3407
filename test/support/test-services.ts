import { randomBytes } from 'node:crypto';
import { parseConfig, type Config } from '../../server/config';
import { buildServices, type ServiceOverrides, type Services } from '../../server/container';
import { createLogger, type Logger } from '../../server/logger';
import type { TestDb } from './test-db';

/**
 * A full service container over a test database, with the environment a test gives (GHL_API_BASE_URL pointing
 * at a simulator on loopback, say). Production mode unless the env leaves the GHL credentials out.
 */
export function createTestServices(
  db: TestDb,
  env: Record<string, string> = {},
  options: ServiceOverrides & { logger?: Logger } = {},
): Services {
  const config: Config = parseConfig(
    {
      GHL_CLIENT_ID: 'testapp-client',
      GHL_CLIENT_SECRET: 'test-client-secret',
      GHL_SSO_KEY: 'test-sso-shared-secret',
      APP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SESSION_SECRET: randomBytes(24).toString('hex'),
      PUBLIC_URL: 'http://127.0.0.1:3999',
      DATABASE_URL: db.url,
      ...env,
    },
    () => {
      throw new Error('sandbox secrets are not used in tests');
    },
  );
  return buildServices(config, options.logger ?? createLogger('silent'), db, options);
}
