/**
 * Checks lesson 03 against its README: both workers are forked and come
 * online, messages travel both ways, internal traffic stays out of
 * 'message', and the Worker objects look as described.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/03-fork-and-ipc/README.md
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runLesson, transcript, type LessonRun } from '../_lib/run-lesson.ts';

describe('lesson 03: fork and IPC', () => {
  let run: LessonRun;
  beforeAll(async () => {
    run = await runLesson(3);
  }, 25_000);

  it('runs to the end', () => {
    expect(run.code, transcript(run)).toBe(0);
  });

  it('emits fork before online for each of the two workers', () => {
    for (const id of [1, 2]) {
      const fork = run.stdout.indexOf(`event 'fork'    worker ${id}`);
      const online = run.stdout.indexOf(`event 'online'  worker ${id}`);
      expect(fork, transcript(run)).toBeGreaterThanOrEqual(0);
      expect(online, transcript(run)).toBeGreaterThan(fork);
    }
  });

  it('carries the online notice as an internal message the user never sees', () => {
    expect(run.stdout, transcript(run)).toContain(`(internal, not a 'message': {"cmd":"NODE_MINI_CLUSTER","act":"online","seq":0})`);
    expect(run.stdout, transcript(run)).not.toMatch(/-> primary .*"act"/);
  });

  it('delivers messages from worker to primary and from primary to worker', () => {
    for (const id of [1, 2]) {
      expect(run.stdout, transcript(run)).toMatch(new RegExp(`worker ${id} -> primary  \\{"ready":"worker ${id} here, pid \\d+","isPrimary":false,"isWorker":true\\}`));
      expect(run.stdout, transcript(run)).toContain(`primary -> worker ${id}  {"hello":"hello worker ${id}"}`);
      expect(run.stdout, transcript(run)).toContain(`worker ${id} -> primary  {"reply":"hi primary, worker ${id} got \\"hello worker ${id}\\""}`);
    }
    expect(run.stdout, transcript(run)).toContain(`cluster.on('message') saw the same 4 messages`);
  });

  it('shows live, connected Worker objects and empties cluster.workers on disconnect', () => {
    expect(run.stdout, transcript(run)).toMatch(/worker 1: process\.pid \d+, state 'online', isConnected\(\) true, isDead\(\) false/);
    expect(run.stdout, transcript(run)).toContain('Object.keys(cluster.workers): ["1","2"]');
    expect(run.stdout, transcript(run)).toContain('after cluster.disconnect(): cluster.workers {}, both exited: true');
  });
});
