// Specs for `npm run choosing`'s parts that run real clusters (primary.ts,
// cluster.ts): the counts its tables are built from are the ones the
// engine and the clients really see.
// Mirrors: nothing — teaching helper
// Read next: scripts/choosing/overload.ts, burst.ts, leave.ts

import { afterEach, describe, expect, it } from 'vitest';
import { burstOnce, spread } from '../../scripts/choosing/burst.ts';
import { Cluster, running } from '../../scripts/choosing/cluster.ts';
import { leaveOnce } from '../../scripts/choosing/leave.ts';
import { overloadOnce } from '../../scripts/choosing/overload.ts';

const started: Cluster[] = [];
afterEach(async () => {
  const all = started.splice(0);
  await Promise.all(all.map((c) => c.stop()));
  expect(all.flatMap((c) => c.pids).filter(running)).toEqual([]);
});
const start = async (options: Parameters<typeof Cluster.start>[0]) => {
  const c = await Cluster.start(options);
  started.push(c);
  return c;
};

describe('overloadOnce', () => {
  // Four stopped workers hold one connection each in flight; 16 wait in the
  // primary's queue; the other 280 are closed at once.
  it('closes what comes past maxPending while the workers are stopped, and counts it on both sides', async () => {
    const c = await start({ maxPending: 16 });
    const run = await overloadOnce(c, 300);
    expect(run.overflow).toBe(300 - 16 - 4);
    expect(run.queuedAtPeak).toBe(16);
    expect(run.outcomes.get('served')).toBe(20);
    const refused = [...run.outcomes].filter(([k]) => k !== 'served').reduce((a, [, n]) => a + n, 0);
    expect(refused, JSON.stringify([...run.outcomes])).toBe(280);
  }, 30_000);

  it('serves every connection once the workers go on, when the queue is unbounded', async () => {
    const c = await start({});
    const run = await overloadOnce(c, 300);
    expect([run.overflow, run.queuedAtPeak, run.outcomes.get('served')]).toEqual([0, 296, 300]);
  }, 30_000);
});

describe('burstOnce', () => {
  it('finds least-connections splitting 48 held connections within one, and refilling the emptied worker', async () => {
    const c = await start({ scheduler: 'least-connections' });
    const run = await burstOnce(c);
    expect(run.burst.reduce((a, b) => a + b), `burst ${run.burst}`).toBe(48);
    expect(spread(run.burst), `burst ${run.burst}`).toBeLessThanOrEqual(1);
    expect(run.refillToEmptied, `after ${run.after}`).toBeGreaterThanOrEqual(11);
  }, 30_000);
});

describe('leaveOnce', () => {
  it('loses no connection under round robin when a worker disconnects under load, and refills it', async () => {
    const c = await start({ policy: 'rr' });
    const run = await leaveOnce(c, 16, 300, 300);
    expect(run.ok).toBeGreaterThan(50);
    expect([...run.failed]).toEqual([]);
    expect(c.workerPids.filter(running)).toHaveLength(4);
  }, 30_000);
});
