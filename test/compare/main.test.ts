// End-to-end: `npm run compare -- --quick` with real primaries and workers
// of both implementations, checked through its JSON output. It takes about
// 25 s, within the 28 s budget --quick gives itself.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/main.ts, test/compare/cleanup.test.ts

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../helpers/run-scenario.ts';
import type { RunRecord } from '../../scripts/compare/runner.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Output {
  code: number | null;
  stdout: string;
  seconds: number;
  json: { meta: { processes: { primaryPid: number; workerPids: number[] }[] }; runs: RunRecord[] };
  html: string;
}


async function runQuick(): Promise<Output> {
  const dir = mkdtempSync(join(tmpdir(), 'compare-e2e-'));
  try {
    const startedAt = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/compare/main.ts', '--quick', '--json', join(dir, 'out.json'), '--html', join(dir, 'out.html')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    const timer = setTimeout(() => child.kill('SIGINT'), 45_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    const seconds = (performance.now() - startedAt) / 1000;
    if (code !== 0) return { code, stdout, seconds, json: { meta: { processes: [] }, runs: [] }, html: '' };
    return { code, stdout, seconds, json: JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')), html: readFileSync(join(dir, 'out.html'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('npm run compare -- --quick', () => {
  let out: Output;
  beforeAll(async () => {
    out = await runQuick();
  }, 60_000);

  it('finishes successfully within its time budget and writes the JSON and HTML files', () => {
    expect(out.code, out.stdout).toBe(0);
    // 28 s of budget, plus slack for a machine busy with other spec files.
    expect(out.seconds, out.stdout).toBeLessThan(40);
    expect(out.html).toContain('<svg');
  });

  it('runs every implementation, policy and workload, with every figure the report shows', () => {
    const seen = new Set(out.json.runs.map((r) => `${r.impl} ${r.policy} ${r.workload}`));
    expect(seen.size).toBe(2 * 2 * 3);
    for (const run of out.json.runs) {
      expect(run).toHaveProperty('requestsPerSec');
      expect(run).toHaveProperty('connectionsPerSec');
      expect(run.latencyMs).toHaveProperty('p50');
      expect(run.latencyMs).toHaveProperty('p99');
      expect(run.perWorker).toHaveLength(4);
      expect(run.perWorker[0]).toHaveProperty('connections');
      expect(run.perWorker[0]).toHaveProperty('requests');
      expect(run.fairness).toHaveProperty('jain');
      expect(run.fairness).toHaveProperty('maxOverMin');
      expect(run).toHaveProperty('wakeupsPerConnection');
      expect(run).toHaveProperty('primaryCpuUsPerConnection');
      expect(run.primaryRssMiB).toBeGreaterThan(0);
      expect(run.workerRssMiB).toBeGreaterThan(0);
    }
  });

  it('records who chose the worker in every run: round robin under rr, nobody (the kernel) under none', () => {
    for (const run of out.json.runs) expect([run.policy, run.scheduler]).toEqual(run.policy === 'rr' ? ['rr', 'round-robin'] : ['none', null]);
  });

  it("agrees with the workers' own counts in every run", () => {
    const disagreements = out.json.runs.filter((r) => !r.client.agreesWithWorkers || r.client.failed > 0);
    expect(disagreements.map((r) => `${r.impl} ${r.policy} ${r.workload}: client ${r.client.count}, workers ${r.served[r.client.unit]}`)).toEqual([]);
  });

  it('splits trickle connections evenly under round robin', () => {
    for (const run of out.json.runs.filter((r) => r.workload === 'trickle' && r.policy === 'rr')) {
      const split = run.perWorker.map((w) => w.connections);
      expect(run.fairness.maxOverMin, `${run.impl} rr split ${split.join('/')}`).toBeLessThanOrEqual(1.5);
    }
  });

  // The herd: under SCHED_NONE every idle worker wakes for each connection.
  it('counts several wakeups per trickle connection under SCHED_NONE and about one under round robin', (ctx) => {
    ctx.skip(!existsSync('/proc/self/status'), '/proc is not available: no wakeup figures');
    for (const run of out.json.runs.filter((r) => r.workload === 'trickle')) {
      const label = `${run.impl} ${run.policy}: ${run.wakeupsPerConnection} wakeups per connection`;
      if (run.policy === 'none') expect(run.wakeupsPerConnection, label).toBeGreaterThan(2);
      else expect(run.wakeupsPerConnection, label).toBeLessThan(2);
    }
  });

  it('leaves no primary or worker process behind', () => {
    const pids = out.json.meta.processes.flatMap((p) => [p.primaryPid, ...p.workerPids]);
    expect(pids).toHaveLength(4 * 5);
    expect(pids.filter(isAlive)).toEqual([]);
  });
});
