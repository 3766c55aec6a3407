import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, root, serverExecArgv } from '../../../scripts/build-server.mjs';
import { freePort } from '../scale/app-process';

/**
 * What `npm start` runs: the server bundled by scripts/build-server.mjs, started with plain node. Built into its own
 * folder under dist/ (the bundle resolves better-sqlite3 from the repository's node_modules).
 */
describe('server bundle (scripts/build-server.mjs)', () => {
  const outdir = path.join(root, 'dist', `server-test-${process.pid}`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rlghl-bundle-'));
  let proc: ChildProcess | undefined;

  beforeAll(async () => {
    await buildServer({ outdir });
  }, 60_000);
  afterAll(async () => {
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((resolve) => proc!.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    }
    rmSync(outdir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('build › server/index.ts › the sandbox simulators sit in a chunk of their own, outside the entry', () => {
    // Arrange / act: built in beforeAll.
    const files = readdirSync(outdir);
    const entry = readFileSync(path.join(outdir, 'index.js'), 'utf8');

    // Assert: a production start (GHL credentials set) never reads the simulators' code.
    const sandboxChunk = files.find((f) => /^sandbox-mode-.*\.js$/.test(f));
    expect(sandboxChunk).toBeDefined();
    expect(readFileSync(path.join(outdir, sandboxChunk!), 'utf8')).toContain('createGhlSimulator');
    expect(entry).not.toContain('createGhlSimulator');
    expect(entry).not.toMatch(/from ["']tsx/);
  });

  it('start › plain node and no GHL credentials › sandbox mode answers /healthz and /sandbox', async () => {
    // Arrange
    const port = await freePort();
    proc = spawn(process.execPath, [...serverExecArgv, path.join(outdir, 'index.js')], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        DATA_DIR: dataDir,
        DATABASE_URL: `sqlite:${path.join(dataDir, 'app.db')}`,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    proc.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    // Act: the sandbox bootstrap (a real OAuth code exchange over loopback) prints the URLs when it is done.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (output.includes('Sandbox page:')) {
          clearInterval(timer);
          resolve();
        }
      }, 50);
      proc!.once('exit', (code) => {
        clearInterval(timer);
        reject(new Error(`the bundle exited (${code}) before sandbox mode was ready:\n${output}`));
      });
    });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    const page = await fetch(`http://127.0.0.1:${port}/sandbox`);

    // Assert: the lazily imported sandbox chunk loaded, and found its static page next to the bundle.
    expect(health.status).toBe(200);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<html');
  }, 60_000);
});
