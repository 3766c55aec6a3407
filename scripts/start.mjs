// `npm start`: builds the panel and the server bundle when either is missing or older than its sources, then runs
// the bundle with plain node (no TypeScript loader in the production process).
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildServer, root, serverEntry, serverExecArgv } from './build-server.mjs';

const builtPanel = path.join(root, 'dist/client/index.html');

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** True when `output` is missing or older than any of `sources` (files or directories under the root). */
function stale(output, sources) {
  return !existsSync(output) || Math.max(...sources.map((s) => newestMtime(path.join(root, s)))) > statSync(output).mtimeMs;
}

if (stale(builtPanel, ['client', 'shared'])) {
  const result = spawnSync('npx', ['vite', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
// package-lock.json: a dependency upgrade changes what the bundle holds.
if (stale(serverEntry, ['server', 'shared', 'package-lock.json', 'scripts/build-server.mjs'])) {
  await buildServer();
}

const child = spawn(process.execPath, [...serverExecArgv, serverEntry], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
