/**
 * Checks lesson 10 against its README: workers that crash at random are
 * respawned after a backoff that doubles with each crash in a row, the
 * clients' availability stays high when some worker is always listening
 * (and the lesson says why when none was), and a worker that crashes at
 * every start is given up after the crash-loop cap.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/10-crash-and-respawn/README.md
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runLesson, transcript, type LessonRun } from '../_lib/run-lesson.ts';

describe('lesson 10: crash and respawn under load', () => {
  let run: LessonRun;
  let part1: string;
  let part2: string;
  beforeAll(async () => {
    run = await runLesson(10);
    part1 = run.stdout.slice(0, run.stdout.indexOf('Part 2'));
    part2 = run.stdout.slice(run.stdout.indexOf('Part 2'));
  }, 25_000);

  it('runs to the end', () => {
    expect(run.code, transcript(run)).toBe(0);
  });

  it('sees every first worker crash (each dies 1 to 3 s after it starts) with Error: Ooops and code 1', () => {
    const crashes = [...part1.matchAll(/slot \d: worker \d+ crashed \(code (\d+), (.*?)\);/g)];
    expect(crashes.length, transcript(run)).toBeGreaterThanOrEqual(4);
    for (const m of crashes) expect([m[1], m[2]], transcript(run)).toEqual(['1', 'Error: Ooops']);
    expect(Number(/crashes: (\d+),/.exec(part1)?.[1]), transcript(run)).toBe(crashes.length);
  });

  it('waits 100 ms before the first respawn of a slot, and doubles the wait with each crash in a row', () => {
    const waits = [...part1.matchAll(/(\d+)(?:st|nd|rd|th) crash in a row: respawn in (\d+) ms/g)];
    expect(waits.length, transcript(run)).toBeGreaterThanOrEqual(4);
    for (const [, streak, ms] of waits) expect(Number(ms), transcript(run)).toBe(100 * 2 ** (Number(streak) - 1));
  });

  it('brings crashed workers back: a respawned worker is ready in its slot', () => {
    const ready = [...part1.matchAll(/slot \d: worker \d+ ready, (\d+) ms after the crash/g)].map((m) => Number(m[1]));
    expect(ready.length, transcript(run)).toBeGreaterThanOrEqual(1);
    for (const ms of ready) expect(ms, 'never before the 100 ms backoff').toBeGreaterThanOrEqual(100);
    expect(Number(/respawned: (\d+);/.exec(part1)?.[1]), transcript(run)).toBe(ready.length);
  });

  it('counts what the clients saw, and keeps availability high while some worker is listening', () => {
    const [, total, answered, failed] = (/requests: (\d+), answered: (\d+), failed: (\d+)/.exec(part1) ?? []).map(Number);
    expect(total, transcript(run)).toBeGreaterThan(100);
    expect(answered + failed, transcript(run)).toBe(total);
    const availability = Number(/availability: ([\d.]+) %/.exec(part1)?.[1]);
    expect(availability).toBeCloseTo((100 * answered) / total, 1);
    if (/no moment without a listening worker/.test(part1)) {
      // Measured here: 99.8 to 99.98 %, 0.3 to 1 failed request per crash.
      expect(availability, transcript(run)).toBeGreaterThan(95);
      expect(failed, 'at most one failure per lane (8) per crash').toBeLessThanOrEqual(8 * Number(/crashes: (\d+)/.exec(part1)?.[1]));
      expect(part1).toMatch(new RegExp(`requests cut by a crash: ${failed}, [\\d.]+ per crash`));
    } else {
      // Every worker was down at once (it happens when crashes bunch up): the lesson says so and why.
      expect(part1, transcript(run)).toMatch(/\d+ of the failures were refused connections: \d+ time\(s\) every worker was down at once/);
      expect(part1).toContain('with no worker left the primary closes the listening socket');
    }
    // A worker that crashed just before the end may not be back yet: how many
    // are left varies; that the shutdown is clean (code 0) does not.
    expect(part1, transcript(run)).toMatch(/shutdown: [0-4] workers left, code 0/);
  });

  it('gives a crash-looping slot up after more than maxRestarts crashes, and forks no more', () => {
    const waits = [...part2.matchAll(/crashed \(code 1, Error: cannot start: config missing\): \w+ in a row, respawn in (\d+) ms/g)].map((m) => Number(m[1]));
    expect(waits, transcript(run)).toEqual([100, 200]);
    expect(part2, transcript(run)).toMatch(/crashed: 3 crashes within 10 s, more than 2: 'giveup', the slot stays empty/);
    expect(part2, transcript(run)).toContain("forks: 3 (the first and 2 respawns); slot 0 is now 'gave-up'");
  });
});
