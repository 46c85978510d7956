// The package as a user gets it: `npm pack` of this repository, installed
// from the tarball into a temporary folder, and the test fixtures compiled
// to plain JavaScript beside it, so that the same scenario programs run on
// plain `node` (no tsx, no loader) against the packed package or against
// node:cluster. Built once per state of the sources and shared by every spec
// file of a run (a lock directory keeps parallel spec files from racing).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileForPlainNode, typescriptFiles } from '../../scripts/lib/plain-node.ts';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface InstalledPackage {
  /** The consumer folder: node_modules/mini-cluster from the tarball, fixtures/ compiled. */
  app: string;
  tarball: string;
}

/** Every file whose change changes the package or the compiled fixtures. */
function inputsHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else hash.update(rel).update(fs.readFileSync(path.join(root, rel)));
    }
  };
  walk('src');
  walk('test/fixtures');
  for (const file of ['package.json', 'scripts/build.ts', 'scripts/lib/plain-node.ts', 'tsconfig.build.json', 'test/helpers/package.ts']) hash.update(file).update(fs.readFileSync(path.join(root, file)));
  return hash.update(process.version).digest('hex').slice(0, 16);
}

let cached: Promise<InstalledPackage> | undefined;

export function installedPackage(): Promise<InstalledPackage> {
  cached ??= prepare();
  return cached;
}

async function prepare(): Promise<InstalledPackage> {
  const base = path.join(os.tmpdir(), `mini-cluster-package-${inputsHash()}`);
  const result = { app: path.join(base, 'app'), tarball: path.join(base, 'mini-cluster.tgz') };
  const done = path.join(base, '.done');
  if (fs.existsSync(done)) return result;
  const lock = `${base}.lock`;
  try {
    fs.mkdirSync(lock);
  } catch {
    // Another spec file is building it: wait (bounded) for it to finish.
    const deadline = Date.now() + 180_000;
    while (!fs.existsSync(done)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${base} (remove ${lock} if it is stale)`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return result;
  }
  try {
    fs.rmSync(base, { recursive: true, force: true });
    fs.mkdirSync(result.app, { recursive: true });
    // `npm pack` runs `prepare`, the build, so the tarball holds a fresh dist/.
    const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', base], { cwd: root, encoding: 'utf8' }).trim().split('\n').at(-1)!;
    fs.renameSync(path.join(base, name), result.tarball);
    fs.writeFileSync(path.join(result.app, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    execFileSync('npm', ['install', '--silent', '--no-audit', '--no-fund', '--no-package-lock', result.tarball], { cwd: result.app });
    await compileFixtures(path.join(result.app, 'fixtures'));
    fs.writeFileSync(done, new Date().toISOString());
    return result;
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** test/fixtures/**.ts => fixtures/**.mjs, each program bundled on its own, importing the installed package. */
async function compileFixtures(outdir: string): Promise<void> {
  const fixtures = path.join(root, 'test/fixtures');
  await compileForPlainNode(typescriptFiles(fixtures), fixtures, outdir);
}
