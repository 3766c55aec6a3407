import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const DIST = path.resolve('dist/client');
const SOURCES = ['client', 'shared'].map((d) => path.resolve(d));

export interface PanelAsset {
  file: string;
  kind: 'entry' | 'modulepreload' | 'stylesheet';
  bytes: number;
  gzipBytes: number;
}

export interface PanelReport {
  /** True when this run built the panel (dist missing or older than client/ or shared/). */
  built: boolean;
  buildError: string | null;
  assets: PanelAsset[];
  jsGzipBytes: number;
  cssGzipBytes: number;
  /** JS + CSS the first paint needs, gzipped (level 9), in kB of 1,000 bytes. */
  totalGzipKb: number;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * What a browser must fetch before the panel can paint: the entry script, its modulepreloads and the stylesheets
 * linked from dist/client/index.html (lazy route chunks are not counted), each gzipped at level 9.
 */
export function runPanelBench(log: (line: string) => void): PanelReport {
  const indexFile = path.join(DIST, 'index.html');
  const stale = !existsSync(indexFile) || SOURCES.some((dir) => existsSync(dir) && newestMtime(dir) > statSync(indexFile).mtimeMs);
  let buildError: string | null = null;
  if (stale) {
    log('  building the panel (npx vite build)');
    const res = spawnSync('npx', ['vite', 'build'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (res.status !== 0) buildError = (res.stderr || res.stdout || 'vite build failed').trim().split('\n').slice(-5).join('\n');
  }
  if (!existsSync(indexFile)) throw new Error(`no panel build at ${indexFile}: ${buildError ?? 'unknown error'}`);

  const html = readFileSync(indexFile, 'utf8');
  const found: { href: string; kind: PanelAsset['kind'] }[] = [];
  for (const m of html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)) found.push({ href: m[1]!, kind: 'entry' });
  for (const m of html.matchAll(/<link\b[^>]*>/g)) {
    const tag = m[0];
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
    if (!href) continue;
    if (/\brel="modulepreload"/.test(tag)) found.push({ href, kind: 'modulepreload' });
    else if (/\brel="stylesheet"/.test(tag)) found.push({ href, kind: 'stylesheet' });
  }
  const assets = found.map(({ href, kind }): PanelAsset => {
    const content = readFileSync(path.join(DIST, href.replace(/^\//, '')));
    return { file: href, kind, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
  });
  const sum = (list: PanelAsset[]) => list.reduce((n, a) => n + a.gzipBytes, 0);
  const js = sum(assets.filter((a) => a.kind !== 'stylesheet'));
  const css = sum(assets.filter((a) => a.kind === 'stylesheet'));
  return {
    built: stale && buildError === null,
    buildError,
    assets,
    jsGzipBytes: js,
    cssGzipBytes: css,
    totalGzipKb: Math.round((js + css) / 100) / 10,
  };
}
