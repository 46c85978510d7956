// Shared state with real processes, against node:cluster and mini-cluster:
// concurrent increments from every worker lose nothing, every copy follows
// every change in order, and a new or replacement worker has the snapshot
// before it counts as ready (with plain fork and hub.joined, and with the
// supervisor's readyGate; without the gate, it does not).
import { beforeAll, describe, expect, it } from 'vitest';
import { runMessaging, type Impl, type MessagingRun } from '../fixtures/messaging/run.ts';

describe.each<Impl>(['node', 'mini'])('shared state over %s cluster', (impl) => {
  let counter: MessagingRun;
  const readiness: Record<string, MessagingRun> = {};
  beforeAll(async () => {
    counter = await runMessaging('counter', impl);
    for (const mode of ['plain', 'gated', 'ungated']) readiness[mode] = await runMessaging('readiness', impl, { env: { READINESS: mode } });
  }, 90_000);

  it('loses no increment when two workers increment one counter 10,000 times each, at once', () => {
    const r = counter.result;
    expect(r.hits, counter.stderr).toBe(20_000);
    expect(r.version).toBe(20_000);
    expect(r.primarySaw).toBe(20_000);
    expect(Math.max(...r.lastValues)).toBe(20_000); // the last worker to finish saw the total
    // They ran at once: the one that finished first had not seen all of the other's yet.
    expect(Math.min(...r.lastValues)).toBeLessThan(20_000);
    expect(r.stats).toMatchObject({ timedOut: 0, peerGone: 0, late: 0, unknown: 0, malformed: 0 });
  });

  it("keeps every worker's copy current: all 20,000 changes, each one more than the last", () => {
    for (const seen of counter.result.seen) expect(seen).toEqual({ changes: 20_000, inOrder: true, value: 20_000 });
  });

  it('gives a plainly forked worker its snapshot before it listens, and each change after', () => {
    const r = readiness.plain!.result;
    expect(r.order, readiness.plain!.stderr).toEqual(['joined', 'listening']);
    expect(r.first).toMatchObject({ loaded: true, config: { epoch: 1 }, version: 1 });
    expect(r.second).toMatchObject({ loaded: true, config: { epoch: 2 }, version: 2 });
  });

  it('has the supervisor call a worker ready only once it has the snapshot, with readyGate, also in a rolling restart', () => {
    const r = readiness.gated!.result;
    expect(r.restarted, readiness.gated!.stderr).toMatchObject([{ ok: true }]);
    expect(r.peeks).toHaveLength(2); // the first worker, then its replacement
    for (const peek of r.peeks) {
      expect(peek.loaded).toBe(true);
      // The probe went out behind every change up to 'ready': the worker had all of them.
      expect(peek.version).toBeGreaterThanOrEqual(peek.versionAtReady);
    }
    expect(r.peeks[1].config).toEqual({ epoch: 2 });
    // This worker listens 300 ms before it joins: 'ready' waited for the join.
    const ready = r.events.filter((e: any) => e.event === 'ready');
    const listening = r.events.filter((e: any) => e.event === 'listening');
    for (const [i, e] of ready.entries()) expect(e.t - listening[i].t).toBeGreaterThanOrEqual(250);
    expect(r.shutdown).toMatchObject({ code: 0 });
  });

  it('without readyGate, counts a worker that listens before joining as ready without the state', () => {
    const r = readiness.ungated!.result;
    expect(r.peeks, readiness.ungated!.stderr).toHaveLength(2);
    for (const peek of r.peeks) expect(peek).toMatchObject({ loaded: false, version: 0 });
  });
});
