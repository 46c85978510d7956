// End-to-end, small: `npm run compare -- --schedulers least-connections`
// on mini-cluster under rr only, churn and skewed, one short round. Checks
// that the scheduler really runs in its primary (the launcher asks it), and
// that the JSON and the side-by-side table carry it.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/schedulers.ts, test/compare/main.test.ts (the default run)

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../helpers/run-scenario.ts';
import type { RunRecord } from '../../scripts/compare/runner.ts';
import type { SchedulerSummary } from '../../scripts/compare/schedulers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARGS = ['--schedulers', 'least-connections', '--impls', 'mini', '--policies', 'rr', '--workloads', 'churn,skewed', '--rounds', '1', '--duration', '0.4', '--quick'];

interface Output { code: number | null; stdout: string; json?: { meta: { processes: { scheduler: string; primaryPid: number; workerPids: number[] }[] }; runs: RunRecord[]; schedulers: SchedulerSummary } }

async function run(): Promise<Output> {
  const dir = mkdtempSync(join(tmpdir(), 'compare-schedulers-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/compare/main.ts', ...ARGS, '--json', join(dir, 'out.json')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    const timer = setTimeout(() => child.kill('SIGINT'), 50_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    return { code, stdout, json: code === 0 ? JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) : undefined };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('npm run compare -- --schedulers least-connections (mini-cluster, rr, one round)', () => {
  let out: Output;
  beforeAll(async () => {
    out = await run();
  }, 60_000);

  it('starts one primary per scheduler, each running the scheduler it was given', () => {
    expect(out.code, out.stdout).toBe(0);
    expect(out.json!.meta.processes.map((p) => p.scheduler)).toEqual(['round-robin', 'least-connections']);
  });

  it('writes the scheduler into every run record, for churn and the skewed churn alike', () => {
    const seen = out.json!.runs.map((r) => `${r.scheduler} ${r.workload}`).sort();
    expect(seen).toEqual(['least-connections churn', 'least-connections skewed', 'round-robin churn', 'round-robin skewed']);
    for (const r of out.json!.runs) expect(r.client.failed, `${r.scheduler} ${r.workload}`).toBe(0);
  });

  it('prints and writes the side-by-side table, round robin as 1.00', () => {
    expect(out.stdout).toContain('schedulers and policies side by side');
    expect(out.stdout).toMatch(/mini-cluster rr\/least-connections +[\d,]+/);
    const reference = out.json!.schedulers.rows.find((r) => r.workload === 'skewed' && r.scheduler === 'round-robin')!;
    expect(reference.overRoundRobin).toMatchObject({ connectionsPerSec: 1, p50: 1, p99: 1 });
  });

  it('leaves no primary or worker process behind', () => {
    const pids = out.json!.meta.processes.flatMap((p) => [p.primaryPid, ...p.workerPids]);
    expect(pids).toHaveLength(2 * 5);
    expect(pids.filter(isAlive)).toEqual([]);
  });
});
