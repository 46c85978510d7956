/**
 * Checks lesson 01 against its README: one process never gets more than one
 * core, the cluster spreads requests over its workers, and requests follow
 * the CPU each setup obtained (so the cluster wins whenever it gets more).
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/01-one-process-one-core/README.md
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runLesson, transcript, type LessonRun } from '../_lib/run-lesson.ts';

interface Round { round: number; setup: string; requests: number; cores: number; errors: number }

function rounds(stdout: string): Round[] {
  const pattern = /round (\d+)\s+(one process|cluster \(\d+\))\s+(\d+) requests.*?CPU ([\d.]+) cores\s+errors (\d+)/g;
  return [...stdout.matchAll(pattern)].map((m) => ({
    round: Number(m[1]), setup: m[2], requests: Number(m[3]), cores: Number(m[4]), errors: Number(m[5]),
  }));
}

describe('lesson 01: one process, one core', () => {
  let run: LessonRun;
  let all: Round[];
  // One short run (2 rounds of 1 s per setup) feeds every assertion below.
  beforeAll(async () => {
    run = await runLesson(1, ['--seconds', '1', '--rounds', '2']);
    all = rounds(run.stdout);
  }, 25_000);

  it('runs to the end and reports two rounds per setup', () => {
    expect(run.code, transcript(run)).toBe(0);
    expect(all.filter((r) => r.setup === 'one process'), transcript(run)).toHaveLength(2);
    expect(all.filter((r) => r.setup.startsWith('cluster')), transcript(run)).toHaveLength(2);
  });

  it('serves every request without errors in both setups', () => {
    for (const r of all) {
      expect(r.errors, `${r.setup} round ${r.round}${transcript(run)}`).toBe(0);
      expect(r.requests, `${r.setup} round ${r.round}${transcript(run)}`).toBeGreaterThan(5);
    }
  });

  it('never gets more than one core out of one process', () => {
    // One JavaScript thread does the work; GC helper threads add a little.
    const cores = all.filter((r) => r.setup === 'one process').map((r) => r.cores);
    for (const c of cores) expect(c, `one process used ${cores.join(', ')} cores${transcript(run)}`).toBeLessThan(1.2);
  });

  it('spreads the cluster requests over every worker', () => {
    const line = /requests per worker \(counted by the workers\): (.*)/.exec(run.stdout)?.[1] ?? '';
    const counts = [...line.matchAll(/worker \d+ (\d+)/g)].map((m) => Number(m[1]));
    expect(counts.length, transcript(run)).toBeGreaterThanOrEqual(2);
    const total = counts.reduce((a, b) => a + b, 0);
    // Round robin hands autocannon's keep-alive connections out in turn.
    for (const n of counts) expect(n / total, `per worker ${counts.join(' / ')}`).toBeGreaterThan(0.15);
  });

  it('serves about the same requests per CPU-second in both setups', () => {
    // Each request costs the same CPU wherever it runs: requests follow cores.
    const m = /requests per CPU-second: one process (\d+), cluster (\d+)/.exec(run.stdout);
    expect(m, transcript(run)).not.toBeNull();
    const ratio = Number(m![2]) / Number(m![1]);
    expect(ratio, `per CPU-second: one process ${m![1]}, cluster ${m![2]}`).toBeGreaterThan(0.6);
    expect(ratio, `per CPU-second: one process ${m![1]}, cluster ${m![2]}`).toBeLessThan(1.6);
  });

  it('serves more requests with the cluster in every round where it got clearly more CPU', () => {
    // On a busy shared machine the cluster may get no more CPU than one
    // process; those rounds show nothing about cores and are skipped.
    for (let round = 1; round <= 2; round++) {
      const a = all.find((r) => r.round === round && r.setup === 'one process')!;
      const b = all.find((r) => r.round === round && r.setup !== 'one process')!;
      if (b.cores < 1.5 * a.cores) continue;
      const detail = `round ${round}: one process ${a.requests} req on ${a.cores} cores, cluster ${b.requests} req on ${b.cores} cores`;
      expect(b.requests / a.requests, detail).toBeGreaterThan(1.2);
    }
  });
});
