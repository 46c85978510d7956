/**
 * Checks lesson 07 against its README: the queues of a RoundRobinHandle
 * driven by hand go through exactly the states the README shows, in our
 * view and in the engine's trace, and idle workers of a real cluster take
 * sequential connections in strict rotation.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/07-round-robin-handle/README.md
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLesson, transcript, type LessonRun } from '../_lib/run-lesson.ts';
import { modelFromText } from '../../scripts/trace-render/model.ts';

/** The engine's trace lines the lesson printed ("+   12.3ms  ..."), without their time. */
function traceLines(stdout: string): string[] {
  return [...stdout.matchAll(/^ +\+ *[\d.]+ms {2}(.*)$/gm)].map((m) => m[1].trim());
}
const KEY = '127.0.0.1:0:4:undefined:0';

describe('lesson 07: RoundRobinHandle', () => {
  let run: LessonRun;
  let quiet: LessonRun;
  // The traced run's own temp folder, so its trace page is not another run's.
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lesson-07-'));
  beforeAll(async () => {
    [run, quiet] = await Promise.all([runLesson(7, [], { env: { TMPDIR: tmp } }), runLesson(7, ['--no-trace'])]);
  }, 25_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('runs to the end', () => {
    expect(run.code, transcript(run)).toBe(0);
  });

  // Part 1 is deterministic: we decide every answer, so every state is exact.
  it('moves free, handles and the in-flight handoffs through the exact states of the README', () => {
    const states = [...run.stdout.matchAll(/^ {6}(free=.*)$/gm)].map((m) => m[1]);
    expect(states, transcript(run)).toEqual([
      'free=[w1,w2]  handles=[]  in flight: -',
      'free=[w2]  handles=[]  in flight: w1<-A',
      'free=[]  handles=[]  in flight: w1<-A w2<-B',
      'free=[]  handles=[C]  in flight: w1<-A w2<-B',
      'free=[]  handles=[]  in flight: w1<-C w2<-B',
      'free=[w2]  handles=[]  in flight: w1<-C',
      'free=[w2,w1]  handles=[]  in flight: -',
      'free=[w1]  handles=[]  in flight: w2<-D',
      'free=[w2]  handles=[]  in flight: w1<-D',
      'free=[w2,w1]  handles=[]  in flight: -',
    ]);
  });

  // The engine's own state line after every change: the same queues, seen from inside.
  it("prints the engine's trace under each step of part 1, with the same queues", () => {
    const part1 = run.stdout.slice(0, run.stdout.indexOf('Part 2'));
    const states = traceLines(part1).filter((line) => line.startsWith('RR ')).map((line) => line.slice(`RR ${KEY} `.length));
    expect(states, transcript(run)).toEqual([
      'free=[w1] handles=0 inflight={}', 'free=[w1,w2] handles=0 inflight={}', // 1: add(w1), add(w2)
      'free=[w2] handles=0 inflight={w1}', // 2
      'free=[] handles=0 inflight={w1,w2}', // 3
      'free=[] handles=1 inflight={w1,w2}', // 4: C waits
      'free=[] handles=0 inflight={w1,w2}', // 5: w1 took C
      'free=[w2] handles=0 inflight={w1}', // 6
      'free=[w2,w1] handles=0 inflight={}', // 7
      'free=[w1] handles=0 inflight={w2}', // 8
      'free=[] handles=0 inflight={w1,w2}', 'free=[w2] handles=0 inflight={w1}', // 9: distribute(D) to w1, then w2 back to free
      'free=[w2,w1] handles=0 inflight={}', // 10
      'free=[w2] handles=0 inflight={}', 'free=[] handles=0 inflight={}', // 11: remove, remove
    ]);
    const replies = traceLines(part1).filter((line) => line.includes('reply to seq='));
    expect(replies.map((line) => line.replace(/ +/g, ' ')), transcript(run)).toEqual([
      'w1 → primary reply to seq=0 accepted=true ⇒ accepted: primary closes its copy',
      'w2 → primary reply to seq=1 accepted=true ⇒ accepted: primary closes its copy',
      'w1 → primary reply to seq=2 accepted=true ⇒ accepted: primary closes its copy',
      'w2 → primary reply to seq=3 accepted=false ⇒ refused: redistribute',
      'w1 → primary reply to seq=4 accepted=true ⇒ accepted: primary closes its copy',
    ]);
    expect(part1).toContain(`last worker left ${KEY}: 0 queued client(s) closed, listener closed`);
  });

  it('shows in the trace of part 2 free filling in the order of add(), then the first rotation, newconn by newconn', () => {
    const part2 = run.stdout.slice(run.stdout.indexOf('Part 2'));
    const added = /in the order the primary added them: (.*)/.exec(part2)?.[1].split(' ') ?? [];
    const lines = traceLines(part2);
    const fills = lines.filter((line) => line.startsWith('RR ') && line.endsWith('inflight={}')).slice(0, 3);
    expect(fills, transcript(run)).toEqual([1, 2, 3].map((n) => `RR ${KEY} free=[${added.slice(0, n).join(',')}] handles=0 inflight={}`));
    const newconns = lines.filter((line) => / newconn seq=/.test(line));
    expect(newconns.map((line) => /^primary → (w\d)/.exec(line)?.[1]), transcript(run)).toEqual(added);
    for (const line of newconns) expect(line, transcript(run)).toMatch(/\+handle +⇒ accepted: emit 'connection'$/);
    expect(part2, transcript(run)).toContain('... (24 more lines: the same four for each of the other 6 connections)');
  });

  it('writes its whole trace as a page and prints where; step 5 of the page is client C waiting in handles', () => {
    const page = path.join(tmp, 'mini-cluster-lesson-07.html');
    expect(run.stdout, transcript(run)).toContain(`\ntrace page: ${page} (open it in a browser: → and ← step, space plays)\n`);
    const html = readFileSync(page, 'utf8');
    const data = /<script type="application\/x-ndjson" id="trace-data">\n([^]*?)\n<\/script>/.exec(html)![1];
    const { runs, badLines } = modelFromText(data);
    expect([runs.length, badLines]).toEqual([1, 0]);
    expect(runs[0].lanes).toEqual(['primary', 'w1', 'w2', 'w3']);
    // Part 1 is driven by hand, so its steps never move: lessons/README.md links to this one.
    const { listeners } = runs[0].steps[4];
    expect(listeners.map(({ free, handles, inflight }) => ({ free, handles, inflight }))).toEqual([{ free: [], handles: 1, inflight: ['w1', 'w2'] }]);
  });

  it('runs the same without the trace (--no-trace), and writes no page', () => {
    expect(quiet.code, transcript(quiet)).toBe(0);
    expect(quiet.stdout).not.toContain('trace page:');
    expect(traceLines(quiet.stdout), transcript(quiet)).toEqual([]);
    expect(quiet.stdout).toContain('strict rotation: yes');
  });

  it('closes the listener when the last worker is removed: a new client on its port is refused', () => {
    const port = /listens on 127\.0\.0\.1:(\d+)/.exec(run.stdout)?.[1];
    expect(port, transcript(run)).toBeDefined();
    // The lesson connects to the same port after the last remove(); ECONNREFUSED is what the client saw.
    expect(run.stdout, transcript(run)).toContain(`the last remove() returns true; a new client on port ${port} gets ECONNREFUSED`);
  });

  it('rotates strictly through idle workers, in the order the primary added them', () => {
    const added = /in the order the primary added them: (.*)/.exec(run.stdout)?.[1].split(' ') ?? [];
    const served = /served by: (.*)/.exec(run.stdout)?.[1].split(' ') ?? [];
    expect(added, transcript(run)).toHaveLength(3);
    expect(served, `added ${added.join(' ')}; served ${served.join(' ')}`).toEqual([...added, ...added, ...added]);
    expect(run.stdout).toContain('strict rotation: yes');
  });

  // --step on a terminal, with a learner who reads for 6.5 s at the first answer
  // of part 2: meanwhile a client waits in handles, past get()'s 5 s limit.
  it('lets a learner pause at a --step prompt longer than any of its time limits, and shows the queues after each step', async () => {
    let first = true;
    const stepped = await runLesson(7, ['--no-trace'], {
      timeoutMs: 40_000,
      step: (prompt) => (first && prompt.includes('reply to seq') ? ((first = false), 6_500) : 0),
    });
    expect(stepped.code, transcript(stepped)).toBe(0);
    expect(stepped.stderr).not.toContain('no reply within');
    expect(stepped.stdout, transcript(stepped)).toContain('strict rotation: yes');
    // An answer puts its worker back at the end of free: seen in the queues after the step.
    const backAtTheEnd = [...stepped.stderr.matchAll(/⏸ {2}(w\d) → primary: reply to seq=\d+[^\n]*\n[^\n]*\n[^\n]*\n {3}after it:\n {3}RR \S+ free=\[([^\]]*)\]/g)]
      .filter(([, worker, free]) => free.split(',').at(-1) === worker);
    expect(backAtTheEnd.length, transcript(stepped)).toBeGreaterThan(0);
  }, 45_000);
});
