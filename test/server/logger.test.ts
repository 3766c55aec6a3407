import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

describe('createLogger', () => {
  it('secrets at the top level or nested › replaced by [redacted]', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        accessToken: 'AT-123',
        tokens: { refresh_token: 'RT-456' },
        req: { headers: { authorization: 'Bearer AT-123' } },
        credentials: { clientSecret: 'CS-789', userToken: 'UT-000' },
        ssoPayload: 'U2FsdGVkX1secret',
      },
      'hello',
    );
    const out = lines.join('');
    for (const secret of ['AT-123', 'RT-456', 'CS-789', 'UT-000', 'U2FsdGVkX1secret']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('child logger › carries bindings into every line', () => {
    const { logger, lines } = capture();
    logger.child({ requestId: 'r-1' }).info('x');
    expect(JSON.parse(lines[0]!).requestId).toBe('r-1');
  });
});
