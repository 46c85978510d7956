// Runs one case of test/node-suite/cases/ on plain node, against node:cluster
// or against the packed mini-cluster installed from its tarball
// (test/helpers/package.ts), and returns how it ended.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installedPackage } from '../helpers/package.ts';

export const casesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cases');

export type Impl = 'node' | 'mini';

export interface CaseResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export async function clusterModule(impl: Impl): Promise<string> {
  return impl === 'node' ? 'node:cluster' : path.join((await installedPackage()).app, 'node_modules/mini-cluster');
}

export async function runCase(file: string, impl: Impl, env: Record<string, string> = {}): Promise<CaseResult> {
  const module = await clusterModule(impl);
  return new Promise((resolve) => {
    // Every case has its own watchdog (common.cjs, 8 s by default); the
    // outer timeout only catches a case whose watchdog could not fire.
    execFile(process.execPath, [path.join(casesDir, file)], { env: { ...process.env, ...env, CLUSTER_MODULE: module }, timeout: 20_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}

/** Runs the case against both clusters at once. */
export async function runBoth(file: string, env: Record<string, string> = {}): Promise<Record<Impl, CaseResult>> {
  const [node, mini] = await Promise.all([runCase(file, 'node', env), runCase(file, 'mini', env)]);
  return { node, mini };
}

/** One line for a failed expectation: how the case ended and what it printed. */
export function describeResult(impl: Impl, r: CaseResult): string {
  return `${impl}: code ${r.code} signal ${r.signal}\n${r.stderr.trim()}\n${r.stdout.trim()}`.trim();
}
