/**
 * Checks lesson 16 against its README: requests both ways find their
 * replies; a timeout names the request and its late reply is counted; a
 * worker killed mid-request rejects our request at once while the by-hand
 * one waits for its timeout; two workers' 20,000 increments all count and
 * get-then-set loses some; a broadcast reaches the live workers while a
 * plain send to the dying one emits 'error'; the app's own `type:
 * 'response'` message is swallowed by the by-hand dispatcher only.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/16-talking-to-the-primary/README.md
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLesson, transcript, type LessonRun } from '../_lib/run-lesson.ts';

const part = (stdout: string, n: number): string => {
  const start = stdout.indexOf(`Part ${n}:`);
  const end = stdout.indexOf(`Part ${n + 1}:`);
  return stdout.slice(start, end === -1 ? undefined : end);
};

describe('lesson 16: talking to the primary', () => {
  let run: LessonRun;
  beforeAll(async () => {
    run = await runLesson(16);
  }, 25_000);

  it('runs to the end', () => {
    expect(run.code, transcript(run)).toBe(0);
    expect(run.stdout).toContain('hub.stats():');
  });

  it('shows the join and a request and a reply as a user listener sees them, each answered', () => {
    const p1 = part(run.stdout, 1);
    for (const id of [1, 2]) {
      expect(p1, transcript(run)).toContain(`worker ${id} -> primary  {"cmd":"mini-cluster:request","id":1,"type":"mini-cluster:state.join","data":null}`);
      expect(p1).toContain(`worker ${id} -> primary  {"cmd":"mini-cluster:joined","version":1}`);
    }
    expect(p1).toContain('worker 1 -> primary  {"cmd":"mini-cluster:request","id":2,"type":"price","data":{"sku":"a1"}}');
    expect(p1).toContain('worker 1 asks the primary for a1: {"sku":"a1","price":9.5,"askedBy":"worker 1"}');
    expect(p1).toMatch(/the primary asks worker 2 who it is: \{"id":2,"pid":\d+,"mode":"live","version":1\}/);
    expect(p1).toContain('worker 1 asks for zz: request "ask-price" #3 to worker 1 failed: RequestError: request "price" #3 to the primary failed: RangeError: no price for "zz"');
  });

  it('times out at 150 ms with an error naming the request, then counts the late reply', () => {
    const p2 = part(run.stdout, 2);
    const ms = Number(/after (\d+) ms: ERR_REQUEST_TIMEOUT: request "slow" #4 to worker 2 timed out after 150 ms/.exec(p2)?.[1]);
    expect(ms, transcript(run)).toBeGreaterThanOrEqual(145);
    expect(ms).toBeLessThan(400); // the answer itself was 400 ms away
    expect(p2).toContain('ignored and counted (late 1, unknown 0, pending 0)');
  });

  it('rejects the request to a killed worker within moments, while the by-hand one waits its 1 s timeout', () => {
    const p3 = part(run.stdout, 3);
    const ours = /ours, after (\d+) ms: ERR_PEER_GONE: request "slow" #5 to worker 2 failed: worker 2 (disconnected|exited \(SIGKILL\)) before replying/.exec(p3);
    expect(ours, transcript(run)).not.toBeNull();
    expect(Number(ours![1])).toBeGreaterThanOrEqual(145); // the kill came at 150 ms
    expect(Number(ours![1])).toBeLessThan(900);
    const theirs = Number(/by hand, after (\d+) ms: request timed out: slow/.exec(p3)?.[1]);
    expect(theirs, transcript(run)).toBeGreaterThanOrEqual(995);
    expect(p3).toMatch(/a replacement, worker 3, joined; asked at once, it has the state: \{"id":3,"pid":\d+,"mode":"live","version":1\}/);
  });

  it('counts all 20,000 increments, and loses some done by hand as get then set', () => {
    const p4 = part(run.stdout, 4);
    expect(p4, transcript(run)).toMatch(/increment\('hits'\) 10,000 times in each of workers 1 and 3, at once: hits = 20000 \(\d+ ms; the last to finish read 20000\)/);
    const m = /by-hand = (\d+) of 4000, (\d+) increments lost/.exec(p4);
    expect(m, transcript(run)).not.toBeNull();
    expect(Number(m![1]) + Number(m![2])).toBe(4000);
    expect(Number(m![2]), 'two workers racing get-then-set lose some').toBeGreaterThan(0);
  });

  it('broadcasts past the dying worker, which a plain send would have crashed on', () => {
    const p5 = part(run.stdout, 5);
    expect(p5, transcript(run)).toContain("worker 1's channel closed; still listed in cluster.workers: true");
    expect(p5).toContain('hub.broadcast: delivered to [3,4], failed [{"id":1,"error":"its IPC channel is closed"}]');
    expect(p5).toContain("a plain worker.send() to worker 1 emits 'error' ERR_IPC_CHANNEL_CLOSED");
    expect(p5).toContain('heard by: worker 3, worker 4');
  });

  it("lets every listener see the app's own {type:'response'} message, which the by-hand dispatcher swallows", () => {
    expect(run.stdout, transcript(run)).toContain('the by-hand code passes 0 of 1 to the app; a listener beside our layer sees 1 of 1');
    expect(run.stdout).toContain('hub.stats(): 12 requests, 1 timed out, 1 rejected as the worker left, 1 late, 0 unknown, 0 malformed');
  });

  it('leaves none of the workers it names running', async () => {
    // Running: the pid exists and is not a zombie (killed, waiting to be reaped).
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
      } catch {
        return false;
      }
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false; // gone between the two looks
      }
    };
    const pids = [...run.stdout.matchAll(/"pid":(\d+)/g)].map((m) => Number(m[1]));
    expect(pids.length, transcript(run)).toBeGreaterThanOrEqual(2);
    // The lesson waits for its workers' exits; allow 2 s anyway for a busy machine.
    for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pids.filter(alive)).toEqual([]);
  });
});
