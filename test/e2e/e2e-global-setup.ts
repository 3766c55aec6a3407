import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The panel built from the current client sources for this run. */
    panelDir: string;
    /** Where the run's screenshots go (gitignored). */
    screenshotDir: string;
  }
}

/**
 * Builds the panel once per run into a private folder, so the browser tests exercise the current client sources
 * without racing anyone who serves `dist/client` meanwhile.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const panelDir = mkdtempSync(path.join(tmpdir(), 'rlghl-e2e-panel-'));
  await build({
    configFile: path.resolve('vite.config.ts'),
    logLevel: 'error',
    build: { outDir: panelDir, emptyOutDir: true },
  });
  const screenshotDir = path.resolve('test-results/screenshots');
  rmSync(screenshotDir, { recursive: true, force: true });
  mkdirSync(screenshotDir, { recursive: true });
  project.provide('panelDir', panelDir);
  project.provide('screenshotDir', screenshotDir);
  return () => rmSync(panelDir, { recursive: true, force: true });
}
