// Specs for the --schedulers summary: mini-cluster's other schedulers apart
// from the impl × policy summary, every set-up side by side, and ratios to
// mini-cluster's round robin. Hand-made run records, no processes.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/schedulers.ts

import { describe, expect, it } from 'vitest';
import { renderSchedulers, summariseSchedulers } from '../../scripts/compare/schedulers.ts';
import { summarise } from '../../scripts/compare/summary.ts';
import { plausibleRecords, record } from './fixtures.ts';

/** plausibleRecords() plus mini-cluster rr with least-connections (churn 10 % slower) and source-hash. */
function withSchedulers() {
  const extra = [1, 2, 3].flatMap((round) => [
    record({ impl: 'mini-cluster', policy: 'rr', scheduler: 'least-connections', workload: 'churn', round, perWorker: [1000, 1000, 1000, 1001], rate: 4000 * 1.02 * 0.9 }),
    record({ impl: 'mini-cluster', policy: 'rr', scheduler: 'source-hash', workload: 'churn', round, perWorker: [4000, 0, 0, 0], rate: 2000 }),
  ]);
  return [...plausibleRecords(), ...extra];
}

describe('summarise with other schedulers in the run', () => {
  it('keeps its cells, ratios and targets to impl × policy, with round robin under rr', () => {
    const plain = summarise(plausibleRecords());
    const mixed = summarise(withSchedulers());
    expect(mixed.cells).toHaveLength(2 * 2 * 3);
    expect(mixed.cells).toEqual(plain.cells);
    expect(mixed.targets).toEqual(plain.targets);
  });
});

describe('summariseSchedulers', () => {
  it('adds nothing to a run with round robin alone and no reuseport', () => {
    expect(summariseSchedulers(plausibleRecords())).toBeNull();
  });

  it('puts every set-up of a workload side by side, each over mini-cluster rr with round robin', () => {
    const rows = summariseSchedulers(withSchedulers())!.rows.filter((r) => r.workload === 'churn');
    expect(rows.map((r) => r.label)).toEqual([
      'mini-cluster rr', 'node:cluster rr', 'mini-cluster none', 'node:cluster none',
      'mini-cluster rr/least-connections', 'mini-cluster rr/source-hash',
    ]);
    const of = (label: string) => rows.find((r) => r.label === label)!;
    expect(of('mini-cluster rr').overRoundRobin.connectionsPerSec).toBe(1);
    expect(of('mini-cluster rr/least-connections').overRoundRobin.connectionsPerSec).toBeCloseTo(0.9, 10);
    expect(of('node:cluster rr').overRoundRobin.connectionsPerSec).toBeCloseTo(1 / 1.02, 10);
    expect(of('mini-cluster rr/source-hash').medians.maxOverMin).toBe(Infinity);
    expect(of('mini-cluster rr/least-connections').runs).toBe(3);
  });

  it('counts a reuseport set-up as something to add, and names source-hash\'s proxy problem when it ran', () => {
    const reuseport = [record({ impl: 'mini-cluster', policy: 'reuseport', workload: 'churn', perWorker: [900, 1100, 1000, 1000], rate: 6500 })];
    const summary = summariseSchedulers([...plausibleRecords(), ...reuseport])!;
    expect(summary.rows.find((r) => r.policy === 'reuseport')).toMatchObject({ scheduler: null, label: 'mini-cluster reuseport' });
    expect(renderSchedulers(summary, 32)).not.toContain('proxy problem');
    expect(renderSchedulers(summariseSchedulers(withSchedulers())!, 32)).toContain('the proxy problem); churn, skewed and trickle connect from 32 local addresses');
  });
});
