import { createPublicKey, randomBytes, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The only reader of process.env. Every variable of SPEC §2 is parsed here once; a bad value stops the start
 * with a message naming the variable.
 */

// GHL's published keys (../shared/reference/ghl-platform.md §2.3; copied from the official docs, not third parties).
export const GHL_ED25519_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=
-----END PUBLIC KEY-----`;

export const GHL_RSA_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC
Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6
dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB
csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv
uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF
3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU
J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp
IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN
h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC
HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ
PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk
T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==
-----END PUBLIC KEY-----`;

const DEFAULT_SCOPES = 'contacts.readonly contacts.write users.readonly locations.readonly oauth.readonly oauth.write';
const DEFAULT_FRAME_ANCESTORS = 'https://app.gohighlevel.com https://*.gohighlevel.com https://*.leadconnectorhq.com';

export type Role = 'web' | 'worker' | 'all';

export interface Config {
  port: number;
  publicUrl: string;
  databaseUrl: string;
  dataDir: string;
  /** True when GHL_CLIENT_ID and GHL_CLIENT_SECRET are both missing: the app runs against its own simulators. */
  sandbox: boolean;
  ghl: {
    clientId: string;
    clientSecret: string;
    /** The marketplace app id: the client id's part before the first `-` (SPEC §2). */
    appId: string;
    ssoKey: string;
    apiBaseUrl: string;
    authorizeUrl: string;
    scopes: string;
    webhookPublicKey: string;
    webhookRsaPublicKey: string;
    rateLimit: { max: number; windowMs: number };
    timeoutMs: number;
  };
  responder: { apiBaseUrl: string; timeoutMs: number };
  encryption: { key: Buffer; previousKeys: Buffer[] };
  sessionSecret: string;
  frameAncestors: string[];
  role: Role;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  rawPayloadRetentionDays: number;
  worker: { concurrency: number; pollMs: number; leaseMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const url = (name: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^\s]+$/.test(v), { message: `${name} must be an http(s) URL` })
    .transform((v) => v.replace(/\/+$/, ''));

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message: `must be between ${min} and ${max}` });

const pem = (kind: 'ed25519' | 'rsa') =>
  z
    .string()
    .transform((v) => v.replace(/\\n/g, '\n').trim())
    .refine(
      (v) => {
        try {
          return createPublicKey(v).asymmetricKeyType === kind;
        } catch {
          return false;
        }
      },
      { message: `must be a PEM ${kind === 'ed25519' ? 'Ed25519' : 'RSA'} public key` },
    );

const base64Key = z
  .string()
  .trim()
  .refine((v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, {
    message: 'must be 32 bytes encoded as base64 (e.g. `openssl rand -base64 32`)',
  })
  .transform((v) => Buffer.from(v, 'base64'));

const envSchema = z.object({
  PORT: int(0, 65535).default(3000),
  PUBLIC_URL: url('PUBLIC_URL').optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => /^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(v), {
      message: 'must be sqlite:<path>, sqlite::memory: or postgres://…',
    })
    .default('sqlite:./data/app.db'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  GHL_CLIENT_ID: optionalString,
  GHL_CLIENT_SECRET: optionalString,
  GHL_SSO_KEY: optionalString,
  GHL_API_BASE_URL: url('GHL_API_BASE_URL').optional(),
  GHL_AUTHORIZE_URL: url('GHL_AUTHORIZE_URL').optional(),
  GHL_SCOPES: z.string().trim().min(1).default(DEFAULT_SCOPES),
  GHL_WEBHOOK_PUBLIC_KEY: pem('ed25519').optional(),
  GHL_WEBHOOK_RSA_PUBLIC_KEY: pem('rsa').optional(),
  GHL_RATE_LIMIT_MAX: int(1, 10_000).default(100),
  GHL_RATE_LIMIT_WINDOW_MS: int(10, 3_600_000).default(10_000),
  GHL_TIMEOUT_MS: int(100, 120_000).default(15_000),
  RESPONDER_API_BASE_URL: url('RESPONDER_API_BASE_URL').optional(),
  RESPONDER_TIMEOUT_MS: int(100, 120_000).default(15_000),
  APP_ENCRYPTION_KEY: base64Key.optional(),
  APP_ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .trim()
    .transform((v) => v.split(/[\s,]+/).filter(Boolean))
    .pipe(z.array(base64Key))
    .optional(),
  SESSION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  FRAME_ANCESTORS: z
    .string()
    .trim()
    .default(DEFAULT_FRAME_ANCESTORS)
    .transform((v) => v.split(/\s+/).filter(Boolean))
    .refine((list) => list.every((o) => /^https?:\/\/[^\s/]+$/.test(o) || o === "'self'"), {
      message: 'must be space-separated origins like https://app.example.com',
    }),
  ROLE: z.enum(['web', 'worker', 'all']).default('all'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RAW_PAYLOAD_RETENTION_DAYS: int(1, 3650).default(30),
  WORKER_CONCURRENCY: int(1, 256).default(16),
  WORKER_POLL_MS: int(10, 60_000).default(250),
  WORKER_LEASE_MS: int(1_000, 3_600_000).default(60_000),
});

/** Secrets generated once for sandbox mode and kept in the data folder so restarts keep working. */
export interface SandboxSecrets {
  ssoKey: string;
  encryptionKey: string;
  sessionSecret: string;
  webhookPrivateKey: string;
  webhookPublicKey: string;
}

export function loadSandboxSecrets(dataDir: string): SandboxSecrets {
  const file = path.join(dataDir, 'sandbox-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SandboxSecrets;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const secrets: SandboxSecrets = {
    ssoKey: randomBytes(24).toString('hex'),
    encryptionKey: randomBytes(32).toString('base64'),
    sessionSecret: randomBytes(32).toString('hex'),
    webhookPrivateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    webhookPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** The base path the sandbox simulators are mounted under on the app's own server. */
export const SANDBOX_GHL_PATH = '/sandbox-ghl';
export const SANDBOX_RESPONDER_PATH = '/sandbox-responder';
export const SANDBOX_CLIENT_ID = 'sandboxapp-sandbox-client';
export const SANDBOX_CLIENT_SECRET = 'sandbox-client-secret';

/**
 * Parses an environment. `sandboxSecrets` is only consulted in sandbox mode (no GHL credentials).
 * Throws ConfigError naming every bad variable.
 */
export function parseConfig(
  env: Record<string, string | undefined>,
  sandboxSecrets: (dataDir: string) => SandboxSecrets = loadSandboxSecrets,
): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const sandbox = !e.GHL_CLIENT_ID && !e.GHL_CLIENT_SECRET;
  if (!sandbox) {
    if (!e.GHL_CLIENT_ID) problems.push('GHL_CLIENT_ID: required when GHL_CLIENT_SECRET is set');
    if (!e.GHL_CLIENT_SECRET) problems.push('GHL_CLIENT_SECRET: required when GHL_CLIENT_ID is set');
    if (!e.GHL_SSO_KEY) problems.push('GHL_SSO_KEY: required outside sandbox mode (the app Shared Secret)');
    if (!e.APP_ENCRYPTION_KEY) problems.push('APP_ENCRYPTION_KEY: required outside sandbox mode (32 bytes, base64)');
    if (!e.SESSION_SECRET) problems.push('SESSION_SECRET: required outside sandbox mode');
  }
  if (problems.length) throw new ConfigError(problems);

  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  const secrets = sandbox ? sandboxSecrets(e.DATA_DIR) : undefined;
  const clientId = e.GHL_CLIENT_ID ?? SANDBOX_CLIENT_ID;
  const encryptionKey = e.APP_ENCRYPTION_KEY ?? Buffer.from(secrets!.encryptionKey, 'base64');

  return {
    port: e.PORT,
    publicUrl,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    sandbox,
    ghl: {
      clientId,
      clientSecret: e.GHL_CLIENT_SECRET ?? SANDBOX_CLIENT_SECRET,
      appId: clientId.split('-')[0] ?? clientId,
      ssoKey: e.GHL_SSO_KEY ?? secrets!.ssoKey,
      apiBaseUrl: e.GHL_API_BASE_URL ?? (sandbox ? `${publicUrl}${SANDBOX_GHL_PATH}` : 'https://services.leadconnectorhq.com'),
      authorizeUrl:
        e.GHL_AUTHORIZE_URL ??
        (sandbox
          ? `${publicUrl}${SANDBOX_GHL_PATH}/oauth/chooselocation`
          : 'https://marketplace.gohighlevel.com/oauth/chooselocation'),
      scopes: e.GHL_SCOPES,
      webhookPublicKey: e.GHL_WEBHOOK_PUBLIC_KEY ?? secrets?.webhookPublicKey ?? GHL_ED25519_PUBLIC_KEY,
      webhookRsaPublicKey: e.GHL_WEBHOOK_RSA_PUBLIC_KEY ?? GHL_RSA_PUBLIC_KEY,
      rateLimit: { max: e.GHL_RATE_LIMIT_MAX, windowMs: e.GHL_RATE_LIMIT_WINDOW_MS },
      timeoutMs: e.GHL_TIMEOUT_MS,
    },
    responder: {
      apiBaseUrl:
        e.RESPONDER_API_BASE_URL ??
        (sandbox ? `${publicUrl}${SANDBOX_RESPONDER_PATH}/v2` : 'https://graph.responder.live/v2'),
      timeoutMs: e.RESPONDER_TIMEOUT_MS,
    },
    encryption: { key: encryptionKey, previousKeys: e.APP_ENCRYPTION_KEY_PREVIOUS ?? [] },
    sessionSecret: e.SESSION_SECRET ?? secrets!.sessionSecret,
    frameAncestors: e.FRAME_ANCESTORS,
    role: e.ROLE,
    logLevel: e.LOG_LEVEL,
    rawPayloadRetentionDays: e.RAW_PAYLOAD_RETENTION_DAYS,
    worker: { concurrency: e.WORKER_CONCURRENCY, pollMs: e.WORKER_POLL_MS, leaseMs: e.WORKER_LEASE_MS },
  };
}

/** Reads process.env (the one place that does) and parses it. */
export function loadConfig(): Config {
  return parseConfig(process.env);
}
