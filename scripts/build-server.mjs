// `npm run build` (after the panel's `vite build`): bundles the server into dist/server/index.js, which `npm start`
// and deployments run with plain node. Under tsx the server idled at ~180 MB of RSS (tsx's loader thread and
// on-the-fly transform alone ~45 MB, then hundreds of modules loaded one by one); the bundle idles at ~100 MB.
import { cpSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const serverOutDir = path.join(root, 'dist/server');
export const serverEntry = path.join(serverOutDir, 'index.js');

/**
 * Node flags of every server process (`npm start`, and the bench child that measures it).
 * --max-old-space-size: V8 sizes its heap growth by the heap limit. With the default limit of a large machine (~2 GB
 * and more) it lets the old generation grow to ~4× the live heap between full collections, so under a burst of
 * webhooks a process whose live heap is ~25 MB committed ~100 MB more of garbage (RSS after the ingest bench ~225 MB).
 * With 512 MB it grows by ~1.4× (RSS ~170 MB) for ~10% more CPU per request, and 512 MB is still ~20× the live heap.
 */
export const serverExecArgv = ['--max-old-space-size=512'];

/**
 * An esbuild plugin that resolves every copy of one package version to the first copy seen. npm nests identical
 * copies where the hoisted slot holds another version: express, accepts, type-is and send each carry their own
 * mime-types@3 and mime-db@1.54 (the root has mime-types@2 for axios's form-data), and the bundle would hold and
 * evaluate all four (~0.6 MB of source, ~1.3 MB of heap for the extra mime tables).
 */
function dedupePackages() {
  return {
    name: 'dedupe-packages',
    setup(build) {
      const firstDir = new Map(); // name@version → the package folder imports of it go to
      const versionOf = new Map(); // package folder → name@version
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData?.dedupe) return undefined;
        const { kind, resolveDir, importer } = args;
        const resolved = await build.resolve(args.path, { kind, resolveDir, importer, pluginData: { dedupe: true } });
        const match = /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^@\\/][^\\/]*)([\\/].*)$/.exec(resolved.path);
        if (resolved.errors.length > 0 || resolved.external || !match) return undefined;
        const [, dir, rest] = match;
        if (!versionOf.has(dir)) {
          const { name, version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
          versionOf.set(dir, `${name}@${version}`);
        }
        const key = versionOf.get(dir);
        if (!firstDir.has(key)) firstDir.set(key, dir);
        return { path: firstDir.get(key) + rest, sideEffects: resolved.sideEffects };
      });
    },
  };
}

/**
 * Bundles `entryPoints` (paths relative to the repository root) into `outdir`, each as `<name>.js`, with the options
 * production uses. The bench builds its own server entry through this function so it measures the same build.
 */
export async function buildServer({ entryPoints = ['server/index.ts'], outdir = serverOutDir } = {}) {
  // Loaded here, not at the top: `npm start` imports this file and needs esbuild only when the bundle is stale.
  const esbuild = await import('esbuild');
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints,
    outdir,
    entryNames: '[name]',
    // Sandbox mode is imported lazily; splitting keeps its simulators in a chunk a production start never reads.
    chunkNames: '[name]-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Native addon found through `bindings` next to its own package; pg-native is pg's optional native driver.
    external: ['better-sqlite3', 'pg-native'],
    // Bundled CommonJS dependencies still call require() for node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    // The bundle's source stays in the heap for the process's life: ~4 MB without comments and indentation and with
    // ASCII escapes, ~10 MB otherwise (one non-Latin-1 character in a comment makes V8 store the whole source as
    // UTF-16). Identifiers are kept, so stack traces and logs still name the functions (a name two modules share
    // gets a suffix: `parseJson2`). No keepNames: it wraps every function the bundle creates, closures included, in a
    // call that sets its name, 2.4% of a webhook's CPU. The linked source map gives files and lines with
    // `--enable-source-maps` (~10 MB more RSS, so not on by default).
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'ascii',
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'linked',
    plugins: [dedupePackages()],
    logLevel: 'warning',
  });
  // server/sandbox/sandbox-page-route.ts reads its static page from `page/` next to the module, which in the bundle
  // is the output directory.
  cpSync(path.join(root, 'server/sandbox/page'), path.join(outdir, 'page'), { recursive: true });
  // esbuild keeps its service process running after a build; `npm start` would keep it beside the server.
  await esbuild.stop();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildServer();
}
