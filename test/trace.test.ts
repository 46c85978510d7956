// The protocol trace (MINI_CLUSTER_TRACE) and the step-through mode
// (MINI_CLUSTER_STEP): what they record, and that they change no outcome.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runScenario } from './helpers/run-scenario.ts';
import { readTrace, renderMermaid, renderText } from '../scripts/trace-render/main.ts';
import type { TraceEvent } from '../src/trace.ts';

const files: string[] = [];
afterEach(() => files.splice(0).forEach((f) => fs.rmSync(f, { force: true })));
function traceFile(): string {
  const file = path.join(os.tmpdir(), `mini-cluster-trace-${process.pid}-${files.length}.jsonl`);
  files.push(file);
  return file;
}

/** Every event must fit the schema of docs/trace.md. */
function checkSchema(e: TraceEvent): void {
  expect(typeof e.t).toBe('number');
  expect(Number.isInteger(e.pid)).toBe(true);
  expect(['message', 'state', 'note']).toContain(e.kind);
  expect(e.run).toMatch(/^\d+-\d+$/);
  if (e.kind === 'message') {
    expect(e.from).toMatch(/^(primary|w\d+)$/);
    expect(e.to).toMatch(/^(primary|w\d+)$/);
    expect(e.act !== undefined || e.ack !== undefined, JSON.stringify(e)).toBe(true);
    expect(typeof e.handle).toBe('boolean');
  }
  if (e.kind === 'state') expect(Object.keys(e.state!).sort()).toEqual(['all', 'free', 'handles', 'inflight', 'key']);
}

const find = (events: TraceEvent[], test: (e: TraceEvent) => boolean, what: string): TraceEvent => {
  const found = events.find(test);
  expect(found, `no ${what} in the trace`).toBeDefined();
  return found!;
};

describe('MINI_CLUSTER_TRACE=path.jsonl', () => {
  // max-connections: two workers listen, worker 1 refuses at its limit.
  it('records listen, newconn, accepted, refusal and disconnect from every process in one file', async () => {
    const file = traceFile();
    await runScenario('max-connections', 'mini', 'rr', { env: { MINI_CLUSTER_TRACE: file } });
    const events = readTrace(file);
    events.forEach(checkSchema);
    expect(new Set(events.map((e) => e.pid)).size, 'lines from the primary and both workers').toBe(3);

    const query = find(events, (e) => e.act === 'queryServer', 'queryServer');
    expect(query).toMatchObject({ from: 'w1', to: 'primary', handle: false, decision: expect.stringContaining('new RoundRobinHandle') });
    find(events, (e) => e.to === 'w1' && e.ack === query.seq && e.decision === 'round robin: faux handle', 'queryServer reply');
    const newconn = find(events, (e) => e.act === 'newconn', 'newconn');
    expect(newconn).toMatchObject({ from: 'primary', handle: true, key: '127.0.0.1:0:4:undefined:0' });
    find(events, (e) => e.to === 'primary' && e.fields?.accepted === true && e.decision === 'accepted: primary closes its copy', 'accepted reply');
    find(events, (e) => e.decision === 'refused: maxConnections reached', 'refusal in the worker');
    find(events, (e) => e.fields?.accepted === false && e.decision === 'refused: redistribute', 'refusal in the primary');
    find(events, (e) => e.act === 'disconnect' && e.from === 'primary', 'disconnect');
    const state = find(events, (e) => e.kind === 'state' && e.state!.inflight.length > 0, 'a state with a handoff in flight');
    expect(state.state!.key).toBe('127.0.0.1:0:4:undefined:0');
  }, 30_000);

  it('records a worker closing its server with the close act', async () => {
    const file = traceFile();
    await runScenario('close-relisten', 'mini', 'rr', { env: { MINI_CLUSTER_TRACE: file } });
    const events = readTrace(file);
    events.forEach(checkSchema);
    const close = find(events, (e) => e.act === 'close' && e.from === 'w1', 'close');
    expect(close.decision).toBe('w1 leaves 127.0.0.1:0:4:undefined:0');
    expect(renderMermaid(events)).toMatch(/^sequenceDiagram\n {2}participant primary/);
    expect(renderText(events)).toContain('w1 → primary');
  }, 30_000);
});

describe('run ids', () => {
  it('gives a primary and its workers one run id, and a second primary appending to the same file another', async () => {
    const file = traceFile();
    await runScenario('rotation', 'mini', 'rr', { env: { MINI_CLUSTER_TRACE: file } });
    await runScenario('rotation', 'mini', 'rr', { env: { MINI_CLUSTER_TRACE: file } });
    const events = readTrace(file);
    events.forEach(checkSchema);
    const runs = [...new Set(events.map((e) => e.run))];
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      const mine = events.filter((e) => e.run === run);
      const pids = new Set(mine.map((e) => e.pid));
      expect(pids.size, 'the primary and its 4 workers').toBe(5);
      // The id starts with the primary's pid: the one that writes the lines sent to the primary.
      const primaryPid = mine.find((e) => e.to === 'primary')!.pid;
      expect(run!.split('-')[0]).toBe(String(primaryPid));
    }
    // Run after run, each in its own time order: the second run's clock starts again near 0.
    const second = events.findIndex((e) => e.run === runs[1]);
    expect(events.slice(second).every((e) => e.run === runs[1])).toBe(true);
    expect(events[second].t).toBeLessThan(events[second - 1].t);
    expect(renderText(events).match(/^== run \d of 2: primary pid \d+, started \S+$/gm)).toHaveLength(2);
  }, 40_000);
});

describe('trace:render', () => {
  const note = (t: number, run: string | undefined, text: string): TraceEvent => ({ t, pid: 1, run, kind: 'note', from: 'primary', text });

  it('prints a file with one run exactly as before: no heading', () => {
    expect(renderText([note(1, '5-1000', 'one'), note(2, '5-1000', 'two')])).toBe('+     1.0ms  primary                 one\n+     2.0ms  primary                 two');
  });

  it('prints several runs apart, each under a heading, and one Mermaid diagram per run', () => {
    const events = [note(1, '7-2000', 'b'), note(1, '5-1000', 'a'), note(0, undefined, 'old')];
    expect(renderText(events).split('\n')).toEqual([
      '== run 1 of 3: lines without a run id', '+     0.0ms  primary                 old', '',
      '== run 2 of 3: primary pid 5, started 1970-01-01T00:00:01.000Z', '+     1.0ms  primary                 a', '',
      '== run 3 of 3: primary pid 7, started 1970-01-01T00:00:02.000Z', '+     1.0ms  primary                 b',
    ]);
    const mermaid = renderMermaid(events);
    expect(mermaid.match(/^sequenceDiagram$/gm)).toHaveLength(3);
    expect(mermaid).toMatch(/^%% run 2 of 3: primary pid 5, started 1970-01-01T00:00:01\.000Z\nsequenceDiagram\n/m);
  });
});

describe('MINI_CLUSTER_TRACE=1', () => {
  it('prints one sequence-diagram line per message and the queues after each change on stderr', async () => {
    const run = await runScenario('rotation', 'mini', 'rr', { env: { MINI_CLUSTER_TRACE: '1' } });
    expect(run.stderr).toMatch(/w\d → primary\s+queryServer seq=1 .*⇒ (new|joins the) RoundRobinHandle/);
    expect(run.stderr).toMatch(/primary → w\d\s+newconn seq=\d+\s+key=127\.0\.0\.1:0:4:undefined:0\s+\+handle\s+⇒ accepted: emit 'connection'/);
    expect(run.stderr).toMatch(/RR 127\.0\.0\.1:0:4:undefined:0 free=\[(w\d,?)*\] handles=\d+ inflight=\{(w\d)?\}/);
  }, 30_000);
});

describe('MINI_CLUSTER_STEP', () => {
  // Enters come through a pipe ('pipe' mode); the run must end as it would unstepped.
  it('pauses before every message and still ends with the same strict rotation', async () => {
    const stepped = await runScenario('rotation', 'mini', 'rr', { env: { MINI_CLUSTER_STEP: 'pipe' }, input: '\n'.repeat(500), timeoutMs: 40_000 });
    expect((stepped.stderr.match(/⏸/g) ?? []).length).toBeGreaterThan(20);
    const counts = (served: string[]) => [...new Set(served)].map((t) => served.filter((s) => s === t).length);
    expect(counts(stepped.result.served)).toEqual([3, 3, 3, 3]);
    const served: string[] = stepped.result.served;
    for (let i = 4; i < served.length; i++) expect(served[i]).toBe(served[i - 4]);
  }, 45_000);

  it('never pauses when stdin is not a terminal', async () => {
    const run = await runScenario('rotation', 'mini', 'rr', { env: { MINI_CLUSTER_STEP: '1' } });
    expect(run.stderr).not.toContain('⏸');
    expect(run.result.served).toHaveLength(12);
  }, 30_000);
});
