// The arithmetic of respawning, without processes: how long to wait after
// each crash, and when a slot has crashed too often to keep trying.
import { describe, expect, it } from 'vitest';
import { CrashHistory, backoffDelay } from '../../src/supervisor/backoff.ts';

describe('backoffDelay', () => {
  it('doubles from the initial delay with each consecutive crash', () => {
    expect([1, 2, 3, 4, 5].map((streak) => backoffDelay(streak, 100, 15_000))).toEqual([100, 200, 400, 800, 1600]);
  });

  it('never waits longer than the cap, even after very many crashes', () => {
    expect(backoffDelay(9, 100, 15_000)).toBe(15_000);
    expect(backoffDelay(10_000, 100, 15_000)).toBe(15_000);
  });
});

describe('CrashHistory', () => {
  it('resets the doubling when the crashed worker had run long enough to count as stable', () => {
    const history = new CrashHistory(10, 60_000, 30_000);
    history.record(1_000, 50);
    history.record(2_000, 50);
    expect(history.streak).toBe(2);
    history.record(40_000, 35_000); // it ran 35 s: a fresh fault, not the same loop
    expect(history.streak).toBe(1);
  });

  it('gives up once crashes inside the window exceed the restarts allowed', () => {
    const history = new CrashHistory(3, 10_000, 30_000);
    for (const at of [0, 1_000, 2_000]) history.record(at, 10);
    expect(history.exhausted()).toBe(false);
    history.record(3_000, 10);
    expect(history.exhausted()).toBe(true);
  });

  it('forgets crashes that slid out of the window', () => {
    const history = new CrashHistory(3, 10_000, 30_000);
    for (const at of [0, 1_000, 2_000]) history.record(at, 10);
    expect(history.record(11_500, 10)).toBe(2); // 0 and 1000 are 10 s old or more; 2000 is not
    expect(history.exhausted()).toBe(false);
  });
});
