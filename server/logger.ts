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

/** Root logger: JSON lines on stdout (or the given stream, which tests use to capture output). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
