import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type SandboxSecrets } from '../../server/config';

const sandboxSecrets = (): SandboxSecrets => ({
  ssoKey: 'sso',
  encryptionKey: randomBytes(32).toString('base64'),
  sessionSecret: 'session-secret-0123456789',
  webhookPrivateKey: '',
  webhookPublicKey: '',
});

const production = {
  GHL_CLIENT_ID: 'abc123-xyz',
  GHL_CLIENT_SECRET: 'secret',
  GHL_SSO_KEY: 'shared-secret',
  APP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  SESSION_SECRET: 'a-long-session-secret',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env, sandboxSecrets);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('parseConfig', () => {
  it('empty environment › sandbox mode with the SPEC defaults', () => {
    const config = parseConfig({}, sandboxSecrets);
    expect(config.sandbox).toBe(true);
    expect(config.port).toBe(3000);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.databaseUrl).toBe('sqlite:./data/app.db');
    expect(config.role).toBe('all');
    expect(config.ghl.apiBaseUrl).toBe('http://localhost:3000/sandbox-ghl');
    expect(config.frameAncestors).toContain('https://app.gohighlevel.com');
  });

  it('production credentials › GHL endpoints default to GHL and appId is the client id before the first dash', () => {
    const config = parseConfig(production, sandboxSecrets);
    expect(config.sandbox).toBe(false);
    expect(config.ghl.appId).toBe('abc123');
    expect(config.ghl.apiBaseUrl).toBe('https://services.leadconnectorhq.com');
    expect(config.ghl.authorizeUrl).toBe('https://marketplace.gohighlevel.com/oauth/chooselocation');
    expect(config.ghl.scopes.split(' ')).toContain('contacts.write');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ ROLE: 'both' }, 'ROLE'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ APP_ENCRYPTION_KEY: 'c2hvcnQ=' }, 'APP_ENCRYPTION_KEY'],
    [{ GHL_WEBHOOK_PUBLIC_KEY: 'not a pem' }, 'GHL_WEBHOOK_PUBLIC_KEY'],
    [{ FRAME_ANCESTORS: 'app.example.com' }, 'FRAME_ANCESTORS'],
  ])('bad value %o › the problem names %s', (env, name) => {
    const problems = problemsOf(env);
    expect(problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
  });

  it.each(['GHL_SSO_KEY', 'APP_ENCRYPTION_KEY', 'SESSION_SECRET'])(
    'credentials without %s › start refused naming it',
    (name) => {
      const env: Record<string, string> = { ...production };
      delete env[name];
      expect(problemsOf(env).some((p) => p.startsWith(`${name}:`))).toBe(true);
    },
  );

  it('only one of the client credentials › the missing one is named', () => {
    expect(problemsOf({ GHL_CLIENT_ID: 'abc-1' }).some((p) => p.startsWith('GHL_CLIENT_SECRET:'))).toBe(true);
  });
});
