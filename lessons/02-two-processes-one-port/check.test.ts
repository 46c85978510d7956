/**
 * Checks lesson 02 against its README: a second plain process gets
 * EADDRINUSE, two cluster workers share the port, and (on Linux) only the
 * primary holds the listening socket under round robin, every process under
 * SCHED_NONE.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/02-two-processes-one-port/README.md
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { runLesson, transcript, type LessonRun } from '../_lib/run-lesson.ts';

const linux = existsSync('/proc/net/tcp');

describe('lesson 02: two processes, one port', () => {
  let run: LessonRun;
  let port: string;
  beforeAll(async () => {
    run = await runLesson(2);
    port = /the port: 127\.0\.0\.1:(\d+)/.exec(run.stdout)?.[1] ?? 'none';
  }, 25_000);

  it('runs to the end', () => {
    expect(run.code, transcript(run)).toBe(0);
  });

  it('lets the first plain process listen and refuses the second with EADDRINUSE', () => {
    expect(run.stdout, transcript(run)).toMatch(new RegExp(`process A \\(pid \\d+\\): listening on 127\\.0\\.0\\.1:${port}`));
    expect(run.stdout, transcript(run)).toMatch(/process B \(pid \d+\): error EADDRINUSE \(syscall listen\)/);
  });

  it('lets two cluster workers listen on that same port', () => {
    const listening = [...run.stdout.matchAll(/worker (\d+) \(pid \d+\): listening on 127\.0\.0\.1:(\d+)/g)];
    expect(listening.map((m) => m[2]), transcript(run)).toEqual([port, port]);
  });

  it('answers two requests from two different workers', () => {
    // Round robin: consecutive connections go to different idle workers.
    const answers = [...run.stdout.matchAll(/GET \/ -> "hello from worker (\d+)/g)].map((m) => m[1]);
    expect(answers, transcript(run)).toHaveLength(2);
    expect(new Set(answers).size, `answered by workers ${answers.join(', ')}`).toBe(2);
  });

  it.runIf(linux)('finds the listening socket in the primary only, under round robin', () => {
    const line = /the listening socket socket:\[\d+\] is open in: (.*)/.exec(run.stdout)?.[1];
    expect(line, transcript(run)).toMatch(/^primary \(pid \d+\)$/);
  });

  it.runIf(linux)('finds the listening socket in the primary and every worker, under SCHED_NONE', async () => {
    const none = await runLesson(2, [], { env: { NODE_CLUSTER_SCHED_POLICY: 'none' } });
    expect(none.code, transcript(none)).toBe(0);
    const line = /the listening socket socket:\[\d+\] is open in: (.*)/.exec(none.stdout)?.[1];
    expect(line, transcript(none)).toMatch(/^primary \(pid \d+\), worker \d \(pid \d+\), worker \d \(pid \d+\)$/);
  }, 20_000);
});
