/**
 * Checks lesson 08 against its README: a worker at maxConnections refuses
 * every handoff and the other worker serves them; once it has room again
 * the rotation resumes; a connection in flight to a dying worker is served
 * by another worker under mini-cluster, and left hanging by node:cluster;
 * the engine's trace shows the refusal and the redistribution.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/08-newconn-and-accepted/README.md
 */
import { existsSync } from 'node:fs';
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

/** The engine's trace lines the lesson printed ("+   12.3ms  ..."), without their time, spaces collapsed. */
function traceLines(text: string): string[] {
  return [...text.matchAll(/^ +\+ *[\d.]+ms {2}(.*)$/gm)].map((m) => m[1].trim().replace(/ +/g, ' '));
}

describe('lesson 08: newconn and accepted', () => {
  let run: LessonRun;
  beforeAll(async () => {
    run = await runLesson(8);
  }, 25_000);

  it('ends by printing where the page of its trace is, to step through in a browser', () => {
    for (const r of [run]) {
      const page = /\ntrace page: (\S+\/mini-cluster-lesson-08\.html) \(open it in a browser: → and ← step, space plays\)\n$/.exec(r.stdout)?.[1];
      expect(page, transcript(r)).toBeDefined();
      expect(existsSync(page!)).toBe(true);
    }
  });

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

  it("shows one refusal in the engine's trace: refused at maxConnections, redistributed, accepted by worker 2", () => {
    const partA = run.stdout.slice(0, run.stdout.indexOf('Part B'));
    const lines = traceLines(partA).map((line) => line.replace(/seq=\d+/g, 'seq=N'));
    expect(lines, transcript(run)).toEqual([
      'RR 127.0.0.1:0:4:undefined:0 free=[w2] handles=0 inflight={w1}',
      "primary → w1 newconn seq=N key=127.0.0.1:0:4:undefined:0 +handle ⇒ refused: maxConnections reached",
      'w1 → primary reply to seq=N accepted=false ⇒ refused: redistribute',
      'RR 127.0.0.1:0:4:undefined:0 free=[] handles=0 inflight={w1,w2}',
      'RR 127.0.0.1:0:4:undefined:0 free=[w1] handles=0 inflight={w2}',
      "primary → w2 newconn seq=N key=127.0.0.1:0:4:undefined:0 +handle ⇒ accepted: emit 'connection'",
      'w2 → primary reply to seq=N accepted=true ⇒ accepted: primary closes its copy',
      'RR 127.0.0.1:0:4:undefined:0 free=[w1,w2] handles=0 inflight={}',
    ]);
    expect(partA, transcript(run)).toContain('... (40 more lines: the same eight for each of the other 5 connections)');
  });

  it("shows in the trace how mini-cluster gives up on the dead worker's request and redistributes it", () => {
    const partB = run.stdout.slice(run.stdout.indexOf('mini-cluster:'), run.stdout.indexOf('node:cluster (Node'));
    const lines = traceLines(partB);
    const gone = lines.findIndex((line) => /^primary peer gone: request seq=\d+ will never be answered; answering null$/.test(line));
    expect(gone, transcript(run)).toBeGreaterThan(0);
    expect(lines[gone + 1], transcript(run)).toBe('primary no answer will come: redistribute');
    expect(lines.slice(gone + 2), transcript(run)).toContainEqual(expect.stringMatching(/^primary → w4 newconn seq=\d+ .*⇒ accepted: emit 'connection'$/));
    // The newconn to the blocked worker 3 has no line: lines are written by the receiver, and it never read it.
    expect(lines.filter((line) => line.startsWith('primary → w3')), transcript(run)).toEqual([]);
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
