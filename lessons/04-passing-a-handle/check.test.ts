/**
 * Checks lesson 04 against its README: the parent binds and never accepts,
 * three children share one kernel socket, and every connection is accepted
 * by some child.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/04-passing-a-handle/README.md
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { runLesson, transcript, type LessonRun } from '../_lib/run-lesson.ts';

describe('lesson 04: passing a handle', () => {
  let run: LessonRun;
  beforeAll(async () => {
    run = await runLesson(4);
  }, 25_000);

  it('runs to the end', () => {
    expect(run.code, transcript(run)).toBe(0);
  });

  it('hands the bound socket to three children, which all listen on it', () => {
    expect(run.stdout, transcript(run)).toMatch(/parent \(pid \d+\): bound 127\.0\.0\.1:\d+ on fd \d+, and will never listen or accept/);
    expect([...run.stdout.matchAll(/child \d \(pid \d+\): got the handle as its fd \d+, listening/g)], transcript(run)).toHaveLength(3);
  });

  it.runIf(existsSync('/proc/self/fd'))('shows the same kernel socket in the parent and in every child', () => {
    const parent = /the parent's fd \d+ is (socket:\[\d+\])/.exec(run.stdout)?.[1];
    expect(parent, transcript(run)).toBeDefined();
    const children = [...run.stdout.matchAll(/child \d: fd \d+ is (socket:\[\d+\])/g)].map((m) => m[1]);
    expect(children, transcript(run)).toEqual([parent, parent, parent]);
  });

  it('has every one of the 30 connections accepted by a child, none by the parent', () => {
    const counts = [...run.stdout.matchAll(/child \d \(pid \d+\) accepted (\d+)/g)].map((m) => Number(m[1]));
    expect(counts, transcript(run)).toHaveLength(3);
    expect(counts.reduce((a, b) => a + b, 0), `children accepted ${counts.join(' / ')}`).toBe(30);
    expect(run.stdout, transcript(run)).toContain('answered by anyone else (the parent included): 0');
  });
});
