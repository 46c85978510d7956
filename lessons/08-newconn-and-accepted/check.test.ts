/**
 * Checks lesson 08 against its README: a worker at maxConnections refuses
 * every handoff and the other worker serves them; once it has room again
 * the rotation resumes; a connection in flight to a dying worker is served
 * by another worker under mini-cluster, and left hanging by node:cluster.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/08-newconn-and-accepted/README.md
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runLesson, transcript, type LessonRun } from '../_lib/run-lesson.ts';

/** The "a client: ..." lines under one heading of Part B. */
function clients(stdout: string, heading: string): string[] {
  const section = stdout.slice(stdout.indexOf(heading));
  const lines = section.split('\n').slice(1);
  const result: string[] = [];
  for (const line of lines) {
    if (line.startsWith('    a client:')) result.push(line.trim());
    else if (result.length > 0) break;
  }
  return result;
}

describe('lesson 08: newconn and accepted', () => {
  let run: LessonRun;
  beforeAll(async () => {
    run = await runLesson(8);
  }, 25_000);

  it('runs to the end', () => {
    expect(run.code, transcript(run)).toBe(0);
  });

  it('has worker 2 serve every new connection while worker 1 is at maxConnections', () => {
    expect(run.stdout, transcript(run)).toContain('a client holds 1 connection open to it');
    expect(run.stdout, transcript(run)).toContain('6 new connections: served by w2 w2 w2 w2 w2 w2');
  });

  it('has worker 1 answer {accepted: false} to each connection offered to it meanwhile', () => {
    const refused = Number(/answered newconn with \{accepted: false\} (\d+) times/.exec(run.stdout)?.[1]);
    // Each of the 6 connections is offered to worker 1 first (the oldest idle).
    expect(refused, `worker 1 refused ${refused} times${transcript(run)}`).toBeGreaterThanOrEqual(6);
  });

  it('resumes strict rotation once the held connection closes', () => {
    expect(run.stdout, transcript(run)).toContain('4 more connections: served by w1 w2 w1 w2');
  });

  it('serves both clients with the surviving worker when a worker dies mid-handoff, under mini-cluster', () => {
    const lines = clients(run.stdout, 'mini-cluster:');
    expect(lines, transcript(run)).toHaveLength(2);
    for (const line of lines) expect(line, transcript(run)).toMatch(/^a client: answered by worker 4 after \d+ ms$/);
  });

  it('leaves the client of the dead worker hanging, under node:cluster', () => {
    const lines = clients(run.stdout, 'node:cluster (Node');
    expect(lines, transcript(run)).toHaveLength(2);
    expect(lines[0], transcript(run)).toMatch(/^a client: answered by worker 2 after \d+ ms$/);
    expect(lines[1], transcript(run)).toMatch(/^a client: no answer after \d+ ms/);
  });
});
