/**
 * The package build (`npm run build`, run by `prepare` on `npm ci` and
 * before `npm pack`): src/ in, dist/ out.
 *
 *   src/index.ts            => dist/index.cjs        require('mini-cluster') is the cluster itself
 *                              dist/index.mjs        import cluster, { Worker, ... } from 'mini-cluster'
 *   src/worker/bootstrap.ts => dist/bootstrap.cjs    the workers' --require preload
 *   src/supervisor/         => dist/supervisor.cjs   'mini-cluster/supervisor'
 *   src/messaging/          => dist/messaging.cjs    'mini-cluster/messaging'
 *   every src file          => dist/types/*.d.ts     tsc, with declaration maps back to src/
 *
 * Why CommonJS inside: a worker's bootstrap must load synchronously (see
 * src/worker/bootstrap.ts), and the whole engine must be one copy however a
 * program loads it, so the ESM entry is a thin wrapper around the CommonJS
 * one. esbuild bundles each entry (source maps point into src/); the
 * bootstrap and the ESM wrapper load dist/index.cjs rather than a copy.
 *
 * Mirrors: nothing — the package's build
 * Read next: src/master/fork.ts (workerPreload: which bootstrap a worker gets)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const src = (file: string): string => path.join(root, 'src', file);

/**
 * The names `import { ... } from 'node:cluster'` offers (Node builds them
 * from the cluster object's own keys), primary side and worker side.
 */
const CLUSTER_NAMES = [
  'isPrimary', 'isMaster', 'isWorker', 'Worker', 'workers', 'worker', 'settings',
  'SCHED_NONE', 'SCHED_RR', 'SCHED_REUSEPORT', 'schedulingPolicy', 'setupPrimary', 'setupMaster', 'fork', 'disconnect',
];

/**
 * dist/index.cjs: `require('mini-cluster')` is the cluster object, as
 * `require('node:cluster')` is. `.default` (not enumerable, so the object's
 * keys stay Node's) lets the types say `export default`, as @types/node's do.
 */
const CJS_ENTRY = `const cluster = require('./src/index.ts').default;
Object.defineProperty(cluster, 'default', { value: cluster });
module.exports = cluster;`;

/** `import ... from '../index.ts'` outside index.ts itself: the built dist/index.cjs, not a second copy. */
const shareIndex: esbuild.Plugin = {
  name: 'share-index',
  setup(build) {
    build.onResolve({ filter: /(^|\/)index\.ts$/ }, (args) => {
      const target = path.resolve(args.resolveDir, args.path);
      return target === src('index.ts') ? { path: './index.cjs', external: true } : undefined;
    });
  },
};

const common: esbuild.BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  keepNames: true, // Worker.name is 'Worker', as in Node
  sourcesContent: false, // the maps point at src/, which the package ships
  packages: 'external',
  logLevel: 'warning',
  // CommonJS has no import.meta; fork.ts needs its own URL (workerPreload).
  define: { 'import.meta.url': 'import_meta_url' },
  banner: { js: 'const import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [shareIndex],
};

/**
 * A copy of the sources with every trace guard (`if (tracing)`,
 * `tracing &&`) replaced by `false`: what the trace costs when off is
 * measured against this (npm run trace-cost).
 */
const compileOutTrace: esbuild.Plugin = {
  name: 'compile-out-trace',
  setup(build) {
    build.onLoad({ filter: /\/src\/.*\.ts$/ }, (args) => {
      if (args.path.endsWith('/trace.ts')) return undefined;
      const source = fs.readFileSync(args.path, 'utf8').replace(/\bif \(tracing\)/g, 'if (false)').replace(/\btracing &&/g, 'false &&');
      return { contents: source, loader: 'ts' };
    });
  },
};

/** The JavaScript half of the package into `outdir` (the declarations are tsc's, below). */
export async function buildJs(outdir: string, options: { compileOutTrace?: boolean } = {}): Promise<void> {
  fs.rmSync(outdir, { recursive: true, force: true });
  const extra = options.compileOutTrace ? [compileOutTrace] : [];
  await Promise.all([
    // The cluster object itself is module.exports, as require('node:cluster') is.
    esbuild.build({
      ...common,
      stdin: { contents: CJS_ENTRY, resolveDir: root, sourcefile: 'mini-cluster.cjs', loader: 'js' },
      outfile: path.join(outdir, 'index.cjs'),
      plugins: extra, // this one is the copy the others share
    }),
    ...[['worker/bootstrap.ts', 'bootstrap.cjs'], ['supervisor/index.ts', 'supervisor.cjs'], ['messaging/index.ts', 'messaging.cjs']].map(([entry, out]) => esbuild.build({
      ...common, plugins: [shareIndex, ...extra], entryPoints: [src(entry!)], outfile: path.join(outdir, out!),
    })),
  ]);
  fs.writeFileSync(path.join(outdir, 'index.mjs'), `${header}import cluster from './index.cjs';
export default cluster;
export const { ${CLUSTER_NAMES.join(', ')} } = cluster;
`);
  // esbuild marks a CommonJS bundle's export names for Node's ESM loader, so `export *` sees them.
  for (const entry of ['supervisor', 'messaging']) fs.writeFileSync(path.join(outdir, `${entry}.mjs`), `${header}export * from './${entry}.cjs';\n`);
}

const header = '// Generated by scripts/build.ts, which says why dist/ looks like this.\n';

// `npm run build` (or `tsx scripts/build.ts`); trace-cost imports buildJs only.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await buildAll();

async function buildAll(): Promise<void> {
  await buildJs(dist);
  // Declarations, with maps back to src/.
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

  // The types, for import (.d.mts) and require (.d.cts): the same shape as
  // @types/node's 'cluster' module (a default export and named ones), so a
  // TypeScript program written for node:cluster type-checks unchanged.
  for (const [entry, types] of [['index', 'index'], ['supervisor', 'supervisor/index'], ['messaging', 'messaging/index']]) {
    const text = `${header}export * from './types/${types}.ts';\n${entry === 'index' ? `export { default } from './types/${types}.ts';\n` : ''}`;
    fs.writeFileSync(path.join(dist, `${entry}.d.mts`), text);
    fs.writeFileSync(path.join(dist, `${entry}.d.cts`), text);
  }

  console.log(`built ${path.relative(process.cwd(), dist) || 'dist'}/: ${fs.readdirSync(dist).sort().join(' ')}`);
}
