/**
 * Checks lesson 09 against its README: the order of a worker's events, and
 * `exitedAfterDisconnect`, exit code and signal for each of the four ways
 * a worker leaves.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/09-lifecycle/README.md
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runLesson, transcript, type LessonRun } from '../_lib/run-lesson.ts';

interface Event { name: string; detail: string; state: string; member: string }

/** The event lines of section `n` ("n. worker n: ..."). */
function events(stdout: string, n: number): Event[] {
  const start = stdout.indexOf(`\n${n}. worker ${n}:`);
  const end = stdout.indexOf(`\n${n + 1}. worker`, start + 1);
  const section = stdout.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/\+\s*\d+ ms {2}'(\w+)'\s+(.*?)\s+state (\w+)\s+in cluster\.workers: (yes|no)/g)]
    .map((m) => ({ name: m[1], detail: m[2], state: m[3], member: m[4] }));
}

describe('lesson 09: the lifecycle of a worker', () => {
  let run: LessonRun;
  beforeAll(async () => {
    run = await runLesson(9);
  }, 25_000);

  it('runs to the end with no worker left in cluster.workers', () => {
    expect(run.code, transcript(run)).toBe(0);
    expect(run.stdout, transcript(run)).toContain('cluster.workers at the end: {}');
  });

  it('emits fork, online and listening in that order, then disconnect and exit, for every worker', () => {
    for (const n of [1, 2, 3, 4]) {
      const names = events(run.stdout, n).map((e) => e.name);
      expect(names.slice(0, 3), `worker ${n}: ${names.join(', ')}${transcript(run)}`).toEqual(['fork', 'online', 'listening']);
      // 'disconnect' and 'exit' may come in either order (Node does not promise one).
      expect(names.slice(3).sort(), `worker ${n}: ${names.join(', ')}`).toEqual(['disconnect', 'exit']);
    }
  });

  it('moves the state from none to online, listening, disconnected and dead', () => {
    const states = Object.fromEntries(events(run.stdout, 1).map((e) => [e.name, e.state]));
    expect(states, transcript(run)).toEqual({ fork: 'none', online: 'online', listening: 'listening', disconnect: 'disconnected', exit: 'dead' });
  });

  it('sets exitedAfterDisconnect for a disconnect from either side, and not for a crash or a kill', () => {
    const exit = (n: number): string => events(run.stdout, n).find((e) => e.name === 'exit')?.detail ?? '';
    expect(exit(1), transcript(run)).toBe('code 0, signal null, exitedAfterDisconnect true');
    expect(exit(2), transcript(run)).toBe('code 0, signal null, exitedAfterDisconnect true');
    expect(exit(3), transcript(run)).toBe('code 1, signal null, exitedAfterDisconnect false');
    expect(exit(4), transcript(run)).toBe('code null, signal SIGTERM, exitedAfterDisconnect false');
  });

  it("removes a worker from cluster.workers at once on the primary's disconnect(), otherwise at exit", () => {
    expect(run.stdout, transcript(run)).toContain('removed from cluster.workers at once: true');
    for (const n of [1, 2, 3, 4]) {
      const exit = events(run.stdout, n).find((e) => e.name === 'exit');
      expect(exit?.member, `worker ${n}${transcript(run)}`).toBe('no');
    }
    const crashDisconnect = events(run.stdout, 3).find((e) => e.name === 'disconnect');
    if (crashDisconnect !== undefined && events(run.stdout, 3)[3].name === 'disconnect') {
      expect(crashDisconnect.member, 'a crashed worker stays listed until it has also exited').toBe('yes');
    }
  });
});
