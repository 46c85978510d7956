/**
 * Checks lesson 05 against its README: under SCHED_NONE each connection
 * wakes (nearly) every worker and sequential connections split unevenly;
 * round robin wakes about one worker per connection and splits exactly
 * evenly; the strace view appears where strace works, the explanation where
 * it does not.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/05-thundering-herd/README.md
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLesson, transcript, type LessonRun } from '../_lib/run-lesson.ts';

const linux = existsSync('/proc/self/status');
const straceInstalled = spawnSync('strace', ['-V']).status === 0;

function perWorker(stdout: string): number[] {
  return [...stdout.matchAll(/^ {2}worker \d+\s+(\d+)\s+/gm)].map((m) => Number(m[1]));
}
function wakeupsPerConnection(stdout: string): number {
  return Number(/wakeups per connection: ([\d.]+)/.exec(stdout)?.[1] ?? NaN);
}

describe('lesson 05: the thundering herd', () => {
  let none: LessonRun;
  let rr: LessonRun;
  // Two runs of 4 workers and 200 connections: SCHED_NONE as the lesson
  // runs by default (with strace if installed), and round robin without strace.
  beforeAll(async () => {
    none = await runLesson(5);
    rr = await runLesson(5, ['--no-strace'], { env: { NODE_CLUSTER_SCHED_POLICY: 'rr' } });
  }, 40_000);

  it('runs to the end under both policies', () => {
    expect(none.code, transcript(none)).toBe(0);
    expect(none.stdout).toContain('policy: SCHED_NONE');
    expect(rr.code, transcript(rr)).toBe(0);
    expect(rr.stdout).toContain('policy: SCHED_RR');
  });

  it('has every one of the 200 connections accepted by exactly one worker', () => {
    for (const run of [none, rr]) {
      const counts = perWorker(run.stdout);
      expect(counts, transcript(run)).toHaveLength(4);
      expect(counts.reduce((a, b) => a + b, 0), transcript(run)).toBe(200);
    }
  });

  it.runIf(linux)('wakes most of the 4 workers for each connection under SCHED_NONE', () => {
    // Measured here: ~5.0 (all four wake, the winner once more to read the request).
    const value = wakeupsPerConnection(none.stdout);
    expect(value, `SCHED_NONE wakeups per connection: ${value}${transcript(none)}`).toBeGreaterThan(2.5);
  });

  it.runIf(linux)('wakes about one worker per connection under round robin', () => {
    const value = wakeupsPerConnection(rr.stdout);
    expect(value, `round robin wakeups per connection: ${value}${transcript(rr)}`).toBeLessThan(2);
  });

  it('splits sequential connections unevenly under SCHED_NONE', () => {
    // Measured here: max/min from 2.5 to "infinite" (a worker got none).
    const counts = perWorker(none.stdout);
    const ratio = Math.max(...counts) / Math.max(1, Math.min(...counts));
    expect(ratio, `SCHED_NONE split ${counts.join(' / ')}`).toBeGreaterThan(1.3);
  });

  it('splits sequential connections exactly evenly under round robin', () => {
    expect(perWorker(rr.stdout), transcript(rr)).toEqual([50, 50, 50, 50]);
  });

  it.runIf(straceInstalled)('shows one winning accept4() per connection and EAGAIN for late wakers, with strace', () => {
    const m = /10 connections: (\d+) accept4\(\) calls got a socket, (\d+) returned EAGAIN/.exec(none.stdout);
    if (m === null && /strace could not attach/.test(none.stdout)) return; // ptrace forbidden: the lesson said so
    expect(m, transcript(none)).not.toBeNull();
    expect(Number(m![1]), transcript(none)).toBe(10);
    expect(none.stdout, transcript(none)).toMatch(/worker \d {2}accept4\(\d+, \.\.\., SOCK_CLOEXEC\|SOCK_NONBLOCK\) = \d+/);
  });

  it('explains what strace would show, and how to install it, when strace is not on the PATH', async () => {
    // A small SCHED_NONE run with a PATH where no strace can be found.
    const run = await runLesson(5, ['--workers', '2', '--connections', '20'], { env: { PATH: '/nonexistent' } });
    expect(run.code, transcript(run)).toBe(0);
    expect(run.stdout, transcript(run)).toContain('strace is not installed (Debian/Ubuntu: apt-get install strace)');
    expect(run.stdout, transcript(run)).toContain('-1 EAGAIN (Resource temporarily');
  }, 20_000);
});
