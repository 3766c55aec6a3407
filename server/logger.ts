import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths pino blanks out wherever they appear. Tokens, client secrets, the SSO key and payload, and
 * Authorization headers never reach a log line (SPEC §3, issue 7's log-secrecy test greps for them).
 */
export const REDACTED_PATHS = [
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'token',
  'clientSecret',
  'client_secret',
  'userToken',
  'user_token',
  'ssoKey',
  'ssoPayload',
  'password',
  'secret',
  'authorization',
  'Authorization',
  'headers.authorization',
  'headers.Authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.token',
  '*.clientSecret',
  '*.client_secret',
  '*.userToken',
  '*.user_token',
  '*.ssoPayload',
  '*.authorization',
  '*.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
];

/**
 * pino's error serializer without what an AxiosError carries of its request: `config` holds the Authorization
 * header and the body sent (a client secret, a refresh token), `request` the raw header text. Vendor errors are
 * wrapped before they are logged, but one that slips through (the 500 handler logs any error) must not leak.
 */
function serializeError(value: unknown): unknown {
  const out = pino.stdSerializers.err(value as Error) as unknown;
  // Anything not error-like comes back as the caller's own object: never mutate that.
  if (out === value || typeof out !== 'object' || out === null) return out;
  const copy = out as Record<string, unknown>;
  delete copy.config;
  delete copy.request;
  delete copy.response;
  return copy;
}

/** Root logger: JSON lines on stdout (or the given stream, which tests use to capture output). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError, error: serializeError },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
