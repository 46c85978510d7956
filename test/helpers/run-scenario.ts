// Runs one scenario primary (test/fixtures/scenarios/NAME.ts) in its own
// process, against node:cluster or mini-cluster, and returns the JSON lines
// it printed. Every process it started is killed by pid afterwards.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installedPackage } from './package.ts';

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
}

/** True in the vitest project that runs the integration specs against the packed package. */
export const packaged = process.env.MINI_CLUSTER_SPEC_TARGET === 'package';

export async function runScenario(name: string, impl: Impl, policy: Policy = 'rr', options: ScenarioOptions = {}): Promise<ScenarioRun> {
  const { env = {}, input, timeoutMs = 20_000, keepWorkers = false } = options;
  // From source: the TypeScript scenario under tsx. With the package target
  // (MINI_CLUSTER_SPEC_TARGET=package, the vitest project "package"): the same
  // scenario compiled to JavaScript, on plain node, against the packed package.
  const args = packaged
    ? [path.join((await installedPackage()).app, 'fixtures/scenarios', `${name}.mjs`)]
    : ['--import', 'tsx', path.join(root, 'test/fixtures/scenarios', `${name}.ts`)];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, MINI_CLUSTER_TRACE: '', MINI_CLUSTER_STEP: '', ...env, CLUSTER_IMPL: impl, NODE_CLUSTER_SCHED_POLICY: policy },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) child.stdin!.end(input);
  const pids = new Set<number>([child.pid!]);
  const records: Record<string, any>[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
    let newline;
    while ((newline = stdout.indexOf('\n')) >= 0) {
      const line = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      try {
        const record = JSON.parse(line);
        if (record.type === 'pid') pids.add(record.pid);
        records.push(record);
      } catch {
        stderr += `[stdout] ${line}\n`;
      }
    }
  });
  child.stderr!.on('data', (chunk) => (stderr += chunk));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killAll(pids);
      reject(new Error(`scenario ${name} (${impl}, ${policy}) timed out after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!keepWorkers) killAll(pids);
      const result = records.find((r) => r.type === 'result');
      if (result === undefined) reject(new Error(`scenario ${name} (${impl}, ${policy}) printed no result (exit ${code})\n${stderr}`));
      else resolve({ records, result, stderr, code });
    });
  });
}

/** Whether a process with this pid still exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
