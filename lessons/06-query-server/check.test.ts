/**
 * Checks lesson 06 against its README: listen() in a worker becomes a
 * queryServer message, the primary's key and reply (with `sockname` under
 * round robin, with a handle under SCHED_NONE), the faux handle, the
 * index that gives a second listen its own key, and the engine's trace of
 * each step with the decisions it records.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/06-query-server/README.md
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLesson, transcript, type LessonRun } from '../_lib/run-lesson.ts';

/** Every "worker N -> primary" / "primary -> worker N" line, parsed. */
function messages(stdout: string): { dir: string; worker: number; msg: Record<string, any>; handle?: string }[] {
  return [...stdout.matchAll(/^ {2}(worker (\d) -> primary|primary -> worker (\d)) {2}(\{.*\})(?: {2}\+ a (\w+) handle)?$/gm)].map((m) => ({
    dir: m[2] !== undefined ? 'up' : 'down',
    worker: Number(m[2] ?? m[3]),
    msg: JSON.parse(m[4]),
    handle: m[5],
  }));
}

/** The engine's trace lines the lesson printed (indented, "+   12.3ms  ..."), without their time. */
function traceLines(stdout: string): string[] {
  return [...stdout.matchAll(/^ {4}\+ *[\d.]+ms {2}(.*)$/gm)].map((m) => m[1].trim());
}

describe('lesson 06: queryServer', () => {
  let rr: LessonRun;
  let none: LessonRun;
  beforeAll(async () => {
    [rr, none] = await Promise.all([runLesson(6), runLesson(6, [], { env: { NODE_CLUSTER_SCHED_POLICY: 'none' } })]);
  }, 30_000);

  it('ends by printing where the page of its trace is, to step through in a browser', () => {
    for (const r of [rr, none]) {
      const page = /\ntrace page: (\S+\/mini-cluster-lesson-06\.html) \(open it in a browser: → and ← step, space plays\)\n$/.exec(r.stdout)?.[1];
      expect(page, transcript(r)).toBeDefined();
      expect(existsSync(page!)).toBe(true);
    }
  });

  it('runs to the end under both policies', () => {
    expect(rr.code, transcript(rr)).toBe(0);
    expect(none.code, transcript(none)).toBe(0);
  });

  it("turns worker 1's listen(0, '127.0.0.1') into a queryServer message with index 0", () => {
    const query = messages(rr.stdout).find((m) => m.dir === 'up' && m.worker === 1 && m.msg.act === 'queryServer');
    expect(query?.msg, transcript(rr)).toMatchObject({ act: 'queryServer', index: 0, address: '127.0.0.1', port: 0, addressType: 4 });
    expect(rr.stdout).toContain('key "127.0.0.1:0:4:undefined:0" (address:port:addressType:fd:index)');
  });

  it('answers with the key, the ack of the query and the sockname of the primary socket, under round robin', () => {
    const all = messages(rr.stdout);
    for (const id of [1, 2]) {
      const query = all.find((m) => m.dir === 'up' && m.worker === id && m.msg.act === 'queryServer')!;
      const reply = all.find((m) => m.dir === 'down' && m.worker === id && m.msg.ack === query.msg.seq);
      const listening = all.find((m) => m.dir === 'up' && m.worker === id && m.msg.act === 'listening');
      expect(reply?.msg, transcript(rr)).toMatchObject({ errno: null, key: '127.0.0.1:0:4:undefined:0', sockname: { address: '127.0.0.1', family: 'IPv4' } });
      expect(reply?.handle, 'no handle rides along under round robin').toBeUndefined();
      expect(listening?.msg.port, transcript(rr)).toBe(reply!.msg.sockname.port);
    }
  });

  it('gives both workers a faux handle with no fd and the same port', () => {
    const ports = [...rr.stdout.matchAll(/worker \d: server\.address\(\)\.port (\d+), server\._handle is a FauxHandle, _handle\.fd undefined/g)].map((m) => m[1]);
    expect(ports, transcript(rr)).toHaveLength(2);
    expect(ports[0], transcript(rr)).toBe(ports[1]);
  });

  it('gives a second listen in the same worker index 1, a new key and a different port', () => {
    const query = messages(rr.stdout).find((m) => m.dir === 'up' && m.msg.act === 'queryServer' && m.msg.index === 1);
    expect(query?.worker, transcript(rr)).toBe(1);
    expect(rr.stdout).toContain('key "127.0.0.1:0:4:undefined:1"');
    expect(rr.stdout, transcript(rr)).toMatch(/index 1 makes a new key, so a new listener: port \d+ is a different port/);
  });

  it('reports each closed server to the primary with a close message on disconnect', () => {
    const closes = messages(rr.stdout).filter((m) => m.msg.act === 'close').map((m) => `${m.worker} ${m.msg.key}`).sort();
    expect(closes, transcript(rr)).toEqual(['1 127.0.0.1:0:4:undefined:0', '1 127.0.0.1:0:4:undefined:1', '2 127.0.0.1:0:4:undefined:0']);
  });

  it("shows the engine's trace of each step: the primary's decision for every queryServer, the worker's for every reply", () => {
    const lines = traceLines(rr.stdout);
    const find = (pattern: RegExp): string | undefined => lines.find((line) => pattern.test(line));
    expect(find(/^w1 → primary +queryServer seq=1 .*index=0 .*⇒ new RoundRobinHandle for 127\.0\.0\.1:0:4:undefined:0$/), transcript(rr)).toBeDefined();
    expect(find(/^w2 → primary +queryServer seq=1 .*⇒ joins the RoundRobinHandle for 127\.0\.0\.1:0:4:undefined:0$/), transcript(rr)).toBeDefined();
    expect(find(/^w1 → primary +queryServer seq=3 .*index=1 .*⇒ new RoundRobinHandle for 127\.0\.0\.1:0:4:undefined:1$/), transcript(rr)).toBeDefined();
    expect(lines.filter((line) => /^primary → w\d +reply to seq=\d+ .*sockname=.*⇒ round robin: faux handle$/.test(line)), transcript(rr)).toHaveLength(3);
    expect(find(/^RR 127\.0\.0\.1:0:4:undefined:0 free=\[w1,w2\] handles=0 inflight=\{\}$/), transcript(rr)).toBeDefined();
    expect(find(/^primary → w1 +disconnect seq=\d+ +⇒ close 2 server\(s\), then the channel$/), transcript(rr)).toBeDefined();
    expect(lines.filter((line) => /last worker left .*listener closed$/.test(line)), transcript(rr)).toHaveLength(2);
    // Every step has its trace block, and the trace went to stdout through the lesson, not to stderr.
    expect(rr.stdout.match(/^ {2}(the engine's trace of this step|trace:)/gm), transcript(rr)).toHaveLength(4);
    expect(rr.stderr, transcript(rr)).not.toMatch(/ms {2}w1 → primary/);
  });

  it('shows in the trace that under SCHED_NONE the reply carries the handle and the worker listens on it', () => {
    const lines = traceLines(none.stdout);
    expect(lines.some((line) => /queryServer seq=1 .*⇒ new SharedHandle for 127\.0\.0\.1:0:4:undefined:0$/.test(line)), transcript(none)).toBe(true);
    expect(lines.some((line) => /^primary → w1 +reply to seq=1 .*errno=0 +\+handle +⇒ SCHED_NONE: listen on the shared handle$/.test(line)), transcript(none)).toBe(true);
    expect(lines.some((line) => line.startsWith('RR ')), 'no RoundRobinHandle under SCHED_NONE').toBe(false);
  });

  it('answers with errno 0 and the bound TCP handle itself, no sockname, under SCHED_NONE', () => {
    const reply = messages(none.stdout).find((m) => m.dir === 'down' && m.worker === 1 && m.msg.ack !== undefined);
    expect(reply?.msg, transcript(none)).toMatchObject({ errno: 0, key: '127.0.0.1:0:4:undefined:0' });
    expect(reply?.msg.sockname, transcript(none)).toBeUndefined();
    expect(reply?.handle, transcript(none)).toBe('TCP');
    expect(none.stdout, transcript(none)).toMatch(/worker 1: server\.address\(\)\.port \d+, server\._handle is a TCP, _handle\.fd \d+/);
  });
});
