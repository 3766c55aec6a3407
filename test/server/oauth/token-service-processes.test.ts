import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InstallService } from '../../../server/oauth/install-service';
import {
  createOAuthHarness,
  PUBLIC_URL,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  type OAuthHarness,
} from '../../support/ghl-oauth-harness';
import { testDialects } from '../../support/test-db';

const CHILD = path.resolve('test/support/token-refresh-child.ts');

interface Child {
  proc: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  result: Promise<{ tokens?: string[]; error?: string }>;
}

function startChild(h: OAuthHarness, locationId: string, calls: number): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: {
      ...process.env,
      DATABASE_URL: h.db.url,
      APP_ENCRYPTION_KEY: h.config.encryption.key.toString('base64'),
      GHL_API_BASE_URL: h.simUrl,
      GHL_CLIENT_ID: TEST_CLIENT_ID,
      GHL_CLIENT_SECRET: TEST_CLIENT_SECRET,
      LOCATION_ID: locationId,
      CALLS: String(calls),
    },
  });
  let out = '';
  let err = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  proc.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('ready\n')) markReady();
  });
  proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const result = new Promise<{ tokens?: string[]; error?: string }>((resolve, reject) => {
    proc.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`child exited ${code}: ${err || out}`));
      else resolve(JSON.parse(last) as { tokens?: string[]; error?: string });
    });
  });
  return { proc, ready: Promise.race([ready, result.then(() => undefined)]), result };
}

describe.each(testDialects())('TokenService across processes on %s', (dialect) => {
  let h: OAuthHarness;
  const children: Child[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.proc.exitCode === null) c.proc.kill();
    await h?.close();
  });

  it('getAccessToken › two processes, 10 concurrent calls each, expired token › exactly one refresh at GHL', async () => {
    h = await createOAuthHarness(dialect, { file: true });
    h.sim.addCompany({ id: 'C1' });
    h.sim.addLocation({ id: 'L1', companyId: 'C1' });
    const code = h.sim.createAuthCode({ userType: 'Location', companyId: 'C1', locationId: 'L1' });
    const exchanged = await h.oauth.exchangeCode({ code, redirectUri: `${PUBLIC_URL}/oauth/callback` });
    await new InstallService({
      installations: h.installations, tokens: h.tokens, oauth: h.oauth, appId: h.config.ghl.appId, logger: h.logger,
    }).storeExchangedToken(exchanged);
    await h.db.kysely.updateTable('locations').set({ token_expires_at: Date.now() - 1000 }).execute();

    children.push(startChild(h, 'L1', 10), startChild(h, 'L1', 10));
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.proc.stdin.write('go\n');
    const results = await Promise.all(children.map((c) => c.result));

    expect(results.map((r) => r.error)).toEqual([undefined, undefined]);
    expect(h.sim.stats.refreshes).toBe(1);
    const stored = (await h.installations.getLocation('L1'))!;
    const all = results.flatMap((r) => r.tokens ?? []);
    expect(all).toHaveLength(20);
    expect(new Set(all)).toEqual(new Set([stored.tokens!.accessToken]));
    expect(stored.refreshLockUntil).toBe(0);
  }, 90_000); // two cold `node --import tsx` starts on a busy CI machine
});
