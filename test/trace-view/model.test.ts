/**
 * The trace page's model as a pure function: JSONL lines => runs => steps,
 * each step with the listeners' queues as they stood after it. Hand-written
 * lines, shaped as src/trace.ts writes them, so each spec shows one rule.
 *
 * Mirrors: nothing — teaching aid
 * Read next: scripts/trace-render/model.ts, then test/trace-view/page.test.ts, where the page draws it
 */
import { describe, expect, it } from 'vitest';
import { buildModel, modelFromText, splitRuns } from '../../scripts/trace-render/model.ts';
import type { TraceEvent } from '../../src/trace-format.ts';

const KEY = '127.0.0.1:0:4:undefined:0';
const RUN_A = '100-1700000000000';
const RUN_B = '200-1700000005000';

const state = (t: number, free: string[], handles: number, inflight: string[], extra: Record<string, unknown> = {}, key = KEY): TraceEvent =>
  ({ t, pid: 100, run: RUN_A, kind: 'state', state: { key, free, handles, inflight, all: ['w1', 'w2'], ...extra } });
const newconn = (t: number, to: string, seq: number): TraceEvent =>
  ({ t, pid: 101, run: RUN_A, kind: 'message', from: 'primary', to, act: 'newconn', seq, key: KEY, handle: true, fields: {}, decision: "accepted: emit 'connection'" });
const accepted = (t: number, from: string, ack: number): TraceEvent =>
  ({ t, pid: 100, run: RUN_A, kind: 'message', from, to: 'primary', seq: 3, ack, handle: false, fields: { accepted: true }, decision: 'accepted: primary closes its copy' });

describe('the trace model', () => {
  it('splits a file that grew across two runs into two runs, in the order they started, each on its own clock', () => {
    const lines: TraceEvent[] = [
      { t: 5, pid: 200, run: RUN_B, kind: 'note', from: 'primary', text: 'b second' },
      { t: 9, pid: 100, run: RUN_A, kind: 'note', from: 'primary', text: 'a second' },
      { t: 1, pid: 200, run: RUN_B, kind: 'note', from: 'primary', text: 'b first' },
      { t: 2, pid: 100, run: RUN_A, kind: 'note', from: 'primary', text: 'a first' },
    ];
    const { runs } = buildModel(lines);
    expect(runs.map((r) => [r.n, r.id, r.pid, r.startedAt])).toEqual([[1, RUN_A, 100, 1700000000000], [2, RUN_B, 200, 1700000005000]]);
    expect(runs.map((r) => r.steps.map((s) => s.detail))).toEqual([['a first', 'a second'], ['b first', 'b second']]);
  });

  it('reads lines written before run ids as one run of their own, ahead of the others', () => {
    const { runs } = buildModel([
      { t: 3, pid: 200, run: RUN_B, kind: 'note', from: 'primary', text: 'new' },
      { t: 4, pid: 7, kind: 'note', from: 'primary', text: 'old' },
    ]);
    expect(runs.map((r) => [r.id, r.pid, r.steps.length])).toEqual([[null, null, 1], [RUN_B, 200, 1]]);
  });

  it('orders a run by time and keeps the file order of lines with equal times', () => {
    const lines = [2, 1, 2, 0].map((t, i): TraceEvent => ({ t, pid: 1, run: RUN_A, kind: 'note', from: 'primary', text: `line ${i}` }));
    expect(splitRuns(lines)[0].events.map((e) => e.text)).toEqual(['line 3', 'line 1', 'line 0', 'line 2']);
  });

  it('makes one step per line, numbered from 1, with an arrow from sender to receiver for each internal message', () => {
    const [run] = buildModel([state(1, ['w2'], 0, ['w1']), newconn(2, 'w1', 4), accepted(3, 'w1', 4)]).runs;
    expect(run.steps.map((s) => s.n)).toEqual([1, 2, 3]);
    const [queues, ask, answer] = run.steps;
    expect(queues).toMatchObject({ kind: 'state', arrow: null, lane: 'primary', changed: KEY });
    expect(ask).toMatchObject({ arrow: { from: 'primary', to: 'w1', reply: false }, label: 'newconn seq=4 +handle', lane: 'w1', changed: null });
    expect(ask.detail).toBe(`key=${KEY}  ⇒ accepted: emit 'connection'`);
    expect(answer).toMatchObject({ arrow: { from: 'w1', to: 'primary', reply: true }, label: 'reply seq=4', detail: 'accepted=true  ⇒ accepted: primary closes its copy' });
    expect(answer.parts).toEqual([['message', 'w1 → primary: reply to seq=4'], ['fields', 'accepted=true'], ['⇒ decision', 'accepted: primary closes its copy']]);
    expect(answer.line).toMatch(/^\+ +3\.0ms {2}w1 → primary +reply to seq=4 {2}accepted=true {2}⇒ accepted: primary closes its copy$/);
  });

  it('gives every step the queues of every listener as they stood after it', () => {
    const other = '127.0.0.1:0:4:undefined:1';
    const [run] = buildModel([
      state(1, ['w1', 'w2'], 0, []),
      newconn(2, 'w1', 4),
      state(3, [], 0, [], {}, other),
      state(4, ['w2'], 1, ['w1']),
    ]).runs;
    const queues = run.steps.map((s) => s.listeners.map((l) => `${l.key.slice(-1)} free=${l.free} handles=${l.handles} inflight=${l.inflight}`));
    expect(queues).toEqual([
      ['0 free=w1,w2 handles=0 inflight='],
      ['0 free=w1,w2 handles=0 inflight='], // a message changes no queue by itself
      ['0 free=w1,w2 handles=0 inflight=', '1 free= handles=0 inflight='],
      ['0 free=w2 handles=1 inflight=w1', '1 free= handles=0 inflight='], // replaced in place, the other kept
    ]);
    expect(run.steps[1].listeners).toBe(run.steps[0].listeners); // unchanged: shared, so 10,000 steps stay small
    expect(run.steps.map((s) => s.changed)).toEqual([KEY, null, other, KEY]);
  });

  it('keeps whatever other fields a state line carries, so a scheduler’s counts show up', () => {
    const [run] = buildModel([state(1, ['w1'], 0, [], { counts: { w1: 3, w2: 1 }, policy: 'least-connections' })]).runs;
    expect(run.steps[0].listeners[0].extra).toEqual([['counts', '{"w1":3,"w2":1}'], ['policy', 'least-connections']]);
    expect(run.steps[0].detail).toBe(`RR ${KEY} free=[w1] handles=0 inflight={}  counts={"w1":3,"w2":1} policy=least-connections`);
  });

  it("marks lifecycle messages and notes on the worker's lane and remembers each worker's last mark", () => {
    const [run] = buildModel([
      { t: 0, pid: 100, run: RUN_A, kind: 'note', from: 'primary', event: 'fork', worker: 'w1', text: 'fork w1: pid 101' },
      { t: 1, pid: 100, run: RUN_A, kind: 'message', from: 'w1', to: 'primary', act: 'online', seq: 0, handle: false, fields: {} },
      { t: 2, pid: 100, run: RUN_A, kind: 'message', from: 'w1', to: 'primary', act: 'listening', seq: 2, handle: false, fields: { port: 8123 } },
      { t: 3, pid: 100, run: RUN_A, kind: 'note', from: 'primary', event: 'message', worker: 'w1', text: 'message w1: {"hi":1}' },
      { t: 4, pid: 101, run: RUN_A, kind: 'message', from: 'primary', to: 'w1', act: 'disconnect', seq: 5, handle: false, fields: {} },
      { t: 5, pid: 100, run: RUN_A, kind: 'note', from: 'primary', event: 'exit', worker: 'w1', text: 'exit w1: code 0' },
    ]).runs;
    expect(run.steps.map((s) => s.marker && `${s.marker.lane} ${s.marker.label}${s.marker.user ? ' (user)' : ''}`))
      .toEqual(['w1 fork', 'w1 online', 'w1 listening :8123', 'w1 message (user)', 'w1 disconnect', 'w1 exit']);
    expect(run.steps.map((s) => s.workers.w1)).toEqual(['fork', 'online', 'listening :8123', 'listening :8123', 'disconnect', 'exit']);
    expect(run.steps[0]).toMatchObject({ lane: 'w1', arrow: null, label: 'fork', detail: 'fork w1: pid 101' });
  });

  it('lists the primary first and then the workers by number, w2 before w10', () => {
    const [run] = buildModel(['w10', 'w2', 'w1'].map((w, i): TraceEvent => ({ t: i, pid: 1, run: RUN_A, kind: 'message', from: w, to: 'primary', act: 'online', seq: 0, handle: false }))).runs;
    expect(run.lanes).toEqual(['primary', 'w1', 'w2', 'w10']);
  });

  it("names the kinds of listener a run made, from the primary's queryServer decisions", () => {
    const query = (decision: string): TraceEvent => ({ t: 1, pid: 1, run: RUN_A, kind: 'message', from: 'w1', to: 'primary', act: 'queryServer', seq: 1, handle: false, decision });
    expect(buildModel([query(`new SharedHandle for ${KEY}`), query(`joins the SharedHandle for ${KEY}`)]).runs[0].listenerKinds).toEqual(['SharedHandle']);
  });

  it('counts and leaves out the lines it cannot read, such as a torn last line', () => {
    const good = JSON.stringify({ t: 1, pid: 1, kind: 'note', from: 'primary', text: 'fine' });
    const model = modelFromText(`${good}\n{"t":2,"pid":1,"ki\nnot json\n{"no":"time"}\n\n`);
    expect(model.badLines).toBe(3);
    expect(model.runs[0].steps.map((s) => s.detail)).toEqual(['fine']);
  });
});
