/**
 * Our TypeScript programs, compiled to JavaScript so they run on plain
 * `node`, as a user's program does: no tsx, no loader in the primary or its
 * workers. Each program is bundled on its own; its import of src/index.ts
 * (or src/supervisor/) becomes an import of the package, 'mini-cluster',
 * which resolves to the built dist/ (or to an installed tarball).
 *
 * Mirrors: nothing — a build helper for the comparison and the package specs
 * Read next: scripts/build.ts (what 'mini-cluster' is once built)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * src/index.ts => 'mini-cluster' (or, with `packageDir`, that build of it:
 * trace-cost compares two builds side by side).
 */
const toPackage = (packageDir?: string): esbuild.Plugin => ({
  name: 'src-to-package',
  setup(build) {
    build.onResolve({ filter: /\/src\/(index|supervisor\/index|messaging\/index)\.ts$/ }, (args) => {
      const target = path.relative(path.join(root, 'src'), path.resolve(args.resolveDir, args.path));
      const entry = { 'index.ts': 'index', 'supervisor/index.ts': 'supervisor', 'messaging/index.ts': 'messaging' }[target];
      if (entry === undefined) return undefined;
      if (packageDir !== undefined) return { path: path.join(packageDir, `${entry}.mjs`), external: true };
      return { path: entry === 'index' ? 'mini-cluster' : `mini-cluster/${entry}`, external: true };
    });
  },
});

/** Compile every entry (a .ts file under `outbase`) to `outdir`, same relative path, `.mjs`. */
export async function compileForPlainNode(entryPoints: string[], outbase: string, outdir: string, packageDir?: string): Promise<void> {
  await esbuild.build({
    entryPoints, outdir, outbase, outExtension: { '.js': '.mjs' },
    bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external',
    logLevel: 'error', plugins: [toPackage(packageDir)],
  });
}

/** Every .ts file under `dir`, recursively. */
export function typescriptFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
}

/**
 * The path of a program beside the calling module (`import.meta.url`): the
 * .ts file from source, the compiled .mjs when the caller was compiled.
 */
export function siblingProgram(metaUrl: string, name: string): string {
  const here = fileURLToPath(metaUrl);
  return path.join(path.dirname(here), here.endsWith('.mjs') ? name.replace(/\.ts$/, '.mjs') : name);
}
