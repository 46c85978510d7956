/**
 * Specifies ScheduledHandle: round robin's primary-side mechanism with a
 * scheduler choosing the worker (setupPrimary({ scheduler })), and the
 * bound on the primary's queue (maxPending). Fake workers and handles only.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RawHandle } from '../../src/ipc.ts';
import { RoundRobinHandle } from '../../src/master/round-robin-handle.ts';
import { ScheduledHandle } from '../../src/master/scheduled-handle.ts';
import { createScheduler, type SchedulerSetting } from '../../src/master/scheduler.ts';
import { addWorkers, client, expectRepliesMatched, FakeServer, fakeListenHandle, type FakeClient } from '../helpers/fake-workers.ts';
import { listenKey, queryServer } from '../fixtures/messages.ts';

afterEach(expectRepliesMatched);

function createScheduled(setting: SchedulerSetting, maxPending?: number) {
  const server = new FakeServer();
  const handle = new ScheduledHandle(listenKey, '127.0.0.1', queryServer, createScheduler(setting)!, { maxPending }, () => server);
  const listen = fakeListenHandle();
  return {
    handle,
    listen: () => server.bound(listen),
    /** A client from `address` connects (getpeername answers with it). */
    connect: (name: string, address = '10.0.0.1'): FakeClient => {
      const c = Object.assign(client(name), { getpeername: (out: object) => (Object.assign(out, { address, port: 40000, family: 'IPv4' }), 0) });
      listen.onconnection(0, c as RawHandle);
      return c;
    },
  };
}

const split = (ws: { offered: string[] }[]): number[] => ws.map((w) => w.offered.length);

describe('ScheduledHandle with least-connections', () => {
  it('splits a burst of keep-alive connections evenly, max - min <= 1', () => {
    const { handle, listen, connect } = createScheduled('least-connections');
    const ws = addWorkers(handle, 4);
    listen();
    // Each worker answers with its open count, as child.ts does.
    for (let i = 0; i < 48; i++) {
      connect(`c${i}`);
      for (const w of ws) while (w.inFlight.length > 0) w.answer(true, { open: w.offered.length });
    }
    expect(split(ws)).toEqual([12, 12, 12, 12]);
  });

  it('refills the worker whose connections closed, where round robin goes on rotating', () => {
    const { handle, listen, connect } = createScheduled('least-connections');
    const ws = addWorkers(handle, 4);
    listen();
    for (let i = 0; i < 8; i++) {
      connect(`c${i}`);
      for (const w of ws) while (w.inFlight.length > 0) w.answer(true, { open: w.offered.length });
    }
    // w3's two connections close; its worker reports it (child.ts countConnections).
    // Round robin would hand the next one to w1, the oldest idle worker.
    handle.reportOpen(ws[2]!.worker, 0);
    connect('n1');
    connect('n2');
    const fresh = (w: { offered: string[] }) => w.offered.filter((n) => n.startsWith('n'));
    expect(fresh(ws[2]!)).toEqual(['n1']);
    ws[2]!.answer(true, { open: 1 });
    expect(fresh(ws[2]!)).toEqual(['n1', 'n2']); // n2 waited for w3, still the least loaded
    for (const w of [ws[0]!, ws[1]!, ws[3]!]) expect(fresh(w)).toEqual([]);
  });

  it('shows its counts in the queues the trace records', () => {
    const { handle, listen, connect } = createScheduled('least-connections');
    const [w1] = addWorkers(handle, 2);
    listen();
    connect('c1');
    w1!.answer(true, { open: 1 });
    expect(handle.queues()).toMatchObject({ scheduler: 'least-connections', open: { w1: 1 }, waiting: {} });
  });
});

describe('ScheduledHandle with source-hash', () => {
  it('keeps a connection for its busy worker until that worker answers', () => {
    const { handle, listen, connect } = createScheduled('source-hash');
    const ws = addWorkers(handle, 3);
    listen();
    connect('a1', '10.9.9.9');
    const target = ws.find((w) => w.offered.includes('a1'))!;
    connect('a2', '10.9.9.9'); // same address: same worker, which is busy
    expect(target.offered).toEqual(['a1']);
    expect(handle.waiting.get(target.id)?.length).toBe(1);
    target.answer(true);
    expect(target.offered).toEqual(['a1', 'a2']);
    for (const w of ws) if (w !== target) expect(w.offered).toEqual([]);
  });

  it('gives the queue of a worker that leaves to the others', () => {
    const { handle, listen, connect } = createScheduled('source-hash');
    const ws = addWorkers(handle, 2);
    listen();
    connect('a1', '10.1.1.1');
    const target = ws.find((w) => w.offered.includes('a1'))!;
    const other = ws.find((w) => w !== target)!;
    connect('a2', '10.1.1.1');
    handle.remove(target.worker); // the worker left mid-handoff
    expect(other.offered).toEqual(['a2']);
    target.answer(true); // its late answer still closes our copy of a1
  });
});

describe('ScheduledHandle with a function', () => {
  it('counts a failing function and lets round robin choose', () => {
    const { handle, listen, connect } = createScheduled(() => {
      throw new Error('boom');
    });
    const [w1] = addWorkers(handle, 2);
    listen();
    connect('c1');
    expect(w1!.offered).toEqual(['c1']);
    expect(handle.fallbacks).toBe(1);
  });

  it('offers a refused connection to another candidate, never back to the one that refused', () => {
    const choose = vi.fn((candidates: readonly { worker: unknown }[]) => candidates[0]!.worker as never);
    const { handle, listen, connect } = createScheduled(choose);
    const [w1, w2] = addWorkers(handle, 2);
    listen();
    connect('c1');
    w1!.answer(false);
    expect(w2!.offered).toEqual(['c1']);
    expect(choose.mock.calls[1]![0].map((c) => (c.worker as { id: number }).id)).toEqual([2]);
  });
});

describe('maxPending', () => {
  it('closes connections past the bound of the round-robin queue, and counts them', () => {
    const server = new FakeServer();
    const rr = new RoundRobinHandle(listenKey, '127.0.0.1', queryServer, () => server, { maxPending: 2 });
    const listen = fakeListenHandle();
    addWorkers(rr, 1);
    server.bound(listen);
    const clients = ['c1', 'c2', 'c3', 'c4', 'c5'].map((n) => {
      const c = client(n);
      listen.onconnection(0, c);
      return c;
    });
    // c1 is in flight to the only worker, c2 and c3 queue, c4 and c5 are over the bound.
    expect(rr.handles).toHaveLength(2);
    expect(clients.map((c) => c.close.mock.calls.length)).toEqual([0, 0, 0, 1, 1]);
    expect(rr.closed.overflow).toBe(2);
  });

  it('bounds the queues of a scheduled handle together', () => {
    const { handle, listen, connect } = createScheduled('source-hash', 1);
    addWorkers(handle, 1);
    listen();
    connect('c1');
    connect('c2');
    const c3 = connect('c3');
    expect(c3.close).toHaveBeenCalledOnce();
    expect(handle.closed.overflow).toBe(1);
  });
});
