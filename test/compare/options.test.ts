// Specs for the command-line options and what --quick changes.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/options.ts

import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../scripts/compare/options.ts';
import { reusePortSupported } from '../../src/master/reuseport-handle.ts';

describe('parseOptions', () => {
  it('runs both implementations, both policies and all three workloads by default', () => {
    expect(parseOptions([])).toMatchObject({
      impls: ['mini-cluster', 'node:cluster'], policies: ['rr', 'none'], workloads: ['keepalive', 'churn', 'trickle'],
      workers: 4, connections: 32, work: 0, rounds: 5, quick: false,
    });
  });

  it('shortens runs and rounds and tightens the time budget with --quick', () => {
    const quick = parseOptions(['--quick']);
    expect(quick).toMatchObject({ quick: true, durationSec: 0.75, rounds: 2, trickle: 150, budgetSec: 28 });
  });

  it('lets explicit options win over --quick', () => {
    expect(parseOptions(['--quick', '--rounds', '3', '--duration', '0.5'])).toMatchObject({ rounds: 3, durationSec: 0.5 });
  });

  it('accepts comma-separated lists and short implementation names', () => {
    expect(parseOptions(['--policies', 'none', '--workloads', 'trickle,churn', '--impls', 'node'])).toMatchObject({
      policies: ['none'], workloads: ['trickle', 'churn'], impls: ['node:cluster'],
    });
  });

  it('rejects unknown values and non-positive numbers with a message naming the option', () => {
    expect(() => parseOptions(['--policies', 'rr,lottery'])).toThrow(/--policies: unknown value 'lottery'/);
    expect(() => parseOptions(['--workers', '0'])).toThrow(/--workers must be a positive integer/);
    expect(() => parseOptions(['--duration', 'soon'])).toThrow(/--duration must be a positive number/);
  });

  it('keeps round robin as the only scheduler and the clients on 127.0.0.1 without --schedulers', () => {
    expect(parseOptions([])).toMatchObject({ schedulers: ['round-robin'], sources: 0, budgetSec: 88 });
  });

  it('turns --schedulers alone into the full matrix: every scheduler, the skewed workload, many client addresses', () => {
    for (const argv of [['--schedulers'], ['--schedulers', '--quick']]) {
      const options = parseOptions(argv);
      expect(options).toMatchObject({
        schedulers: ['round-robin', 'least-connections', 'power-of-two', 'source-hash'],
        workloads: ['keepalive', 'churn', 'trickle', 'skewed'], sources: 32, skewWork: 20_000,
      });
      expect(options).toHaveProperty('policies', reusePortSupported() ? ['rr', 'none', 'reuseport'] : ['rr', 'none']);
    }
    expect(parseOptions(['--schedulers'])).toMatchObject({ budgetSec: 330 });
  });

  it('takes a list of schedulers and always keeps round robin first, as the reference', () => {
    expect(parseOptions(['--schedulers', 'power-of-two', '--policies', 'rr'])).toMatchObject({ schedulers: ['round-robin', 'power-of-two'], policies: ['rr'] });
    expect(() => parseOptions(['--schedulers', 'fastest'])).toThrow(/--schedulers: unknown value 'fastest'/);
  });

  it('returns help for --help', () => {
    expect(parseOptions(['--help'])).toBe('help');
  });
});
