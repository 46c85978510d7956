/**
 * Checks lesson 11 against its README: on SIGUSR2 and again on SIGHUP the
 * supervisor replaces every worker, one slot at a time, while the client
 * lanes see no failed request; every pid is new and the port never
 * changes. The order of the tutorial in docs/sources.md (disconnect, then
 * fork) with one worker leaves a gap: refused connections, and a new port.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/11-rolling-restart/README.md
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runLesson, transcript, type LessonRun } from '../_lib/run-lesson.ts';

describe('lesson 11: zero-downtime rolling restart', () => {
  let run: LessonRun;
  let first: LessonRun;
  beforeAll(async () => {
    [run, first] = await Promise.all([runLesson(11), runLesson(11, ['--disconnect-first'])]);
  }, 25_000);

  it('runs to the end', () => {
    expect(run.code, transcript(run)).toBe(0);
    expect(run.stdout, transcript(run)).toContain('shutdown: code 0');
  });

  it('replaces the three slots in order on SIGUSR2, then again on SIGHUP, each new worker listening before the old one leaves', () => {
    const usr2 = run.stdout.indexOf('kill -USR2');
    const hup = run.stdout.indexOf('kill -HUP');
    expect(usr2, transcript(run)).toBeGreaterThan(0);
    expect(hup, transcript(run)).toBeGreaterThan(usr2);
    const slots = (text: string): number[] => [...text.matchAll(/slot (\d): new pid \d+ listening, then old pid \d+ drained and disconnected$/gm)].map((m) => Number(m[1]));
    expect(slots(run.stdout.slice(usr2, hup)), transcript(run)).toEqual([0, 1, 2]);
    expect(slots(run.stdout.slice(hup)), transcript(run)).toEqual([0, 1, 2]);
    expect(run.stdout).not.toContain('forced');
  });

  it('gives every slot a new pid, and each second-pass replacement retires a first-pass worker', () => {
    const first = /pids (\d+) (\d+) (\d+) \(primary/.exec(run.stdout)!.slice(1);
    const replaced = [...run.stdout.matchAll(/new pid (\d+) listening, then old pid (\d+)/g)].map((m) => [m[1], m[2]]);
    expect(replaced.slice(0, 3).map(([, old]) => old), transcript(run)).toEqual(first);
    expect(replaced.slice(3).map(([, old]) => old), transcript(run)).toEqual(replaced.slice(0, 3).map(([fresh]) => fresh));
    expect(run.stdout, transcript(run)).toMatch(/pids now \d+ \d+ \d+: every one replaced/);
    expect(run.stdout, transcript(run)).toContain('answered by 9 different pids over the run (3 at a time)');
  });

  it('keeps the port, and fails no request under load', () => {
    expect(run.stdout, transcript(run)).toMatch(/ports reported by 'listening', old and new workers: \d+ \(unchanged\)/);
    const [, total, answered, failed] = /requests: (\d+), answered: (\d+), failed: (\d+)/.exec(run.stdout)!.map(Number);
    expect(total, transcript(run)).toBeGreaterThan(200);
    expect([answered, failed], transcript(run)).toEqual([total, 0]);
    expect(run.stdout).toContain('failed requests: 0 (zero downtime)');
  });

  it('shows the disconnect-first order with one worker: refused connections, and a new port', () => {
    expect(first.code, transcript(first)).toBe(0);
    expect(first.stdout, transcript(first)).toMatch(/ports reported by 'listening': \d+, \d+ \(CHANGED/);
    expect(first.stdout, transcript(first)).toMatch(/failed: \d+ \(.*ECONNREFUSED \d+/);
  });
});
