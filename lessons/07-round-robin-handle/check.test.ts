/**
 * Checks lesson 07 against its README: the queues of a RoundRobinHandle
 * driven by hand go through exactly the states the README shows, and idle
 * workers of a real cluster take sequential connections in strict rotation.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/07-round-robin-handle/README.md
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runLesson, transcript, type LessonRun } from '../_lib/run-lesson.ts';

describe('lesson 07: RoundRobinHandle', () => {
  let run: LessonRun;
  beforeAll(async () => {
    run = await runLesson(7);
  }, 25_000);

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

  it('closes the listener when the last worker is removed', () => {
    expect(run.stdout, transcript(run)).toContain('the last remove() returns true, the listening socket is closed');
  });

  it('rotates strictly through idle workers, in the order the primary added them', () => {
    const added = /in the order the primary added them: (.*)/.exec(run.stdout)?.[1].split(' ') ?? [];
    const served = /served by: (.*)/.exec(run.stdout)?.[1].split(' ') ?? [];
    expect(added, transcript(run)).toHaveLength(3);
    expect(served, `added ${added.join(' ')}; served ${served.join(' ')}`).toEqual([...added, ...added, ...added]);
    expect(run.stdout).toContain('strict rotation: yes');
  });
});
