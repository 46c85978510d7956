// Unit specs for the figures' arithmetic: fairness, percentiles, medians,
// ratios and the per-connection costs.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/stats.ts

import { describe, expect, it } from 'vitest';
import {
  busiestShare, cpuUsPerConnection, fairness, jainIndex, maxOverMin, median, percentile, ratio, toMiB, wakeupsPerConnection,
} from '../../scripts/compare/stats.ts';

describe("Jain's fairness index", () => {
  it('is exactly 1 when every worker served the same count', () => {
    expect(jainIndex([62, 62, 62, 62])).toBe(1);
  });

  it('falls to 1/n when one worker served everything', () => {
    expect(jainIndex([500, 0, 0, 0])).toBe(0.25);
  });

  it('matches the formula on an uneven split', () => {
    // (1+2+3+4)² / (4 · (1+4+9+16)) = 100 / 120
    expect(jainIndex([1, 2, 3, 4])).toBeCloseTo(100 / 120, 12);
  });

  it('does not depend on the unit of the counts', () => {
    expect(jainIndex([13, 117, 60, 40])).toBeCloseTo(jainIndex([1300, 11700, 6000, 4000])!, 12);
  });

  it('has no value when nothing was served or there are no workers', () => {
    expect(jainIndex([0, 0, 0])).toBeNull();
    expect(jainIndex([])).toBeNull();
  });
});

describe('max/min and the busiest share', () => {
  it('reports a split of 13 … 117 as a ratio of 9 (the field notes in docs/sources.md)', () => {
    expect(maxOverMin([13, 117, 60, 40])).toBe(9);
  });

  it('is infinite when one worker served nothing while another did', () => {
    expect(maxOverMin([10, 0, 5])).toBe(Infinity);
  });

  it('has no value when no worker served anything', () => {
    expect(maxOverMin([0, 0])).toBeNull();
    expect(busiestShare([0, 0])).toBeNull();
  });

  it('gives the busiest worker share between 1/n and 1', () => {
    expect(busiestShare([25, 25, 25, 25])).toBe(0.25);
    expect(busiestShare([70, 10, 10, 10])).toBe(0.7);
    expect(busiestShare([9, 0, 0])).toBe(1);
  });

  it('bundles the three figures together', () => {
    expect(fairness([2, 2])).toEqual({ jain: 1, maxOverMin: 1, busiestShare: 0.5 });
  });
});

describe('percentile (nearest rank)', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('returns observed values, never interpolated ones', () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 60)).toBe(3);
  });

  it('gives the minimum at p0 and the maximum at p100', () => {
    expect(percentile([5, 3, 9], 0)).toBe(3);
    expect(percentile([5, 3, 9], 100)).toBe(9);
  });

  it('sorts its input without changing the caller array', () => {
    const samples = [9, 1, 5];
    expect(percentile(samples, 50)).toBe(5);
    expect(samples).toEqual([9, 1, 5]);
  });

  it('has no value without samples and rejects p outside 0..100', () => {
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('median and ratio', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('ignores missing values and has no value when all are missing', () => {
    expect(median([null, 5, null, 7, 6])).toBe(6);
    expect(median([null, null])).toBeNull();
  });

  it('divides, and has no value when either side is missing, infinite or the divisor is zero', () => {
    expect(ratio(3, 4)).toBe(0.75);
    expect(ratio(null, 4)).toBeNull();
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(Infinity, 2)).toBeNull();
  });
});

describe('per-connection costs', () => {
  it('counts about one wakeup per connection when only the chosen worker wakes (round robin)', () => {
    expect(wakeupsPerConnection([100, 101, 99, 100], 400)).toBe(1);
  });

  it('counts about n wakeups per connection when every worker wakes for every connection (SCHED_NONE)', () => {
    // 4 workers, 400 connections, each worker woken for all of them.
    expect(wakeupsPerConnection([400, 400, 400, 400], 400)).toBe(4);
  });

  it('has no wakeup figure without /proc or without connections', () => {
    expect(wakeupsPerConnection([10, null], 10)).toBeNull();
    expect(wakeupsPerConnection([10, 10], 0)).toBeNull();
  });

  it('divides the primary user and system CPU time by the connections served', () => {
    expect(cpuUsPerConnection({ user: 60_000, system: 40_000 }, 1000)).toBe(100);
    expect(cpuUsPerConnection({ user: 1, system: 1 }, 0)).toBeNull();
  });

  it('converts bytes to MiB with one decimal', () => {
    expect(toMiB(52_428_800)).toBe(50);
    expect(toMiB(1_572_864 + 52_429)).toBe(1.6);
  });
});
