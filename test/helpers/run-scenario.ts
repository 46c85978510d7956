// Runs one scenario primary (test/fixtures/scenarios/NAME.ts) in its own
// process, against node:cluster or mini-cluster, and returns the JSON lines
// it printed (scripts/lib/primary-process.ts). Every process it started is
// killed by pid afterwards.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installedPackage } from './package.ts';
import { isAlive, killAll, PrimaryProcess } from '../../scripts/lib/primary-process.ts';

export type Impl = 'node' | 'mini';
export type Policy = 'rr' | 'none' | 'reuseport';
export interface ScenarioRun {
  records: Record<string, any>[];
  result: Record<string, any>;
  stderr: string;
  code: number | null;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ScenarioOptions {
  env?: Record<string, string>; // extra environment, e.g. MINI_CLUSTER_TRACE
  input?: string; // written to the primary's stdin, which is then closed
  timeoutMs?: number;
  /** Leave the scenario's worker pids alive at exit; the spec checks and kills them (`killAll`). */
  keepWorkers?: boolean;
  /** The folder under test/fixtures the scenario is in (default 'scenarios'). */
  dir?: string;
}

/** True in the vitest project that runs the integration specs against the packed package. */
export const packaged = process.env.MINI_CLUSTER_SPEC_TARGET === 'package';

export async function runScenario(name: string, impl: Impl, policy: Policy = 'rr', options: ScenarioOptions = {}): Promise<ScenarioRun> {
  const { env = {}, input, timeoutMs = 20_000, keepWorkers = false, dir = 'scenarios' } = options;
  // From source: the TypeScript scenario under tsx. With the package target
  // (MINI_CLUSTER_SPEC_TARGET=package, the vitest project "package"): the same
  // scenario compiled to JavaScript, on plain node, against the packed package.
  const args = packaged
    ? [path.join((await installedPackage()).app, 'fixtures', dir, `${name}.mjs`)]
    : ['--import', 'tsx', path.join(root, 'test/fixtures', dir, `${name}.ts`)];
  const primary = new PrimaryProcess({ args, cwd: root, env: { ...env, CLUSTER_IMPL: impl, NODE_CLUSTER_SCHED_POLICY: policy } });
  if (input !== undefined) primary.endInput(input);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      primary.kill();
      reject(new Error(`scenario ${name} (${impl}, ${policy}) timed out after ${timeoutMs} ms\n${primary.stderr}`));
    }, timeoutMs);
  });
  const { code } = await Promise.race([primary.exited, timedOut]);
  clearTimeout(timer);
  if (!keepWorkers) primary.kill();
  const result = primary.records.find((r) => r.type === 'result');
  if (result === undefined) throw new Error(`scenario ${name} (${impl}, ${policy}) printed no result (exit ${code})\n${primary.stderr}`);
  return { records: primary.records, result, stderr: primary.stderr, code };
}

export { isAlive, killAll };
