// Broadcast and shared state between a hub and links over fake channels:
// one failing worker does not stop a broadcast to the others; the state is
// changed only in the primary, so concurrent writers lose nothing; every
// worker's copy follows in order; a joining worker has the snapshot before
// it counts as joined; bad values are refused and change nothing.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHub, joinHub, type Change, type Hub, type Link } from '../../src/messaging/index.ts';
import { StateReplica } from '../../src/messaging/state.ts';
import { FakeCluster, settle, type FakeWorker } from './fake-cluster.ts';

let cluster: FakeCluster;
let hub: Hub;

async function worker(): Promise<{ worker: FakeWorker; link: Link }> {
  const { worker, cluster: side } = cluster.fork();
  const link = joinHub(side);
  await settle();
  await link.ready;
  return { worker, link };
}

beforeEach(() => {
  vi.useFakeTimers();
  cluster = new FakeCluster();
  hub = createHub(cluster);
});
afterEach(() => {
  hub.close();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('broadcast', () => {
  it("reaches every worker's listeners, and reports who got it", async () => {
    const workers = [await worker(), await worker(), await worker()];
    const heard: string[] = [];
    workers.forEach(({ link }, i) => {
      link.onBroadcast('config', (data) => void heard.push(`w${i + 1} config ${JSON.stringify(data)}`));
      link.onBroadcast('*', (_data, type) => void heard.push(`w${i + 1} any ${type}`));
    });
    const result = await hub.broadcast('config', { level: 'debug' });
    expect(result).toEqual({ type: 'config', delivered: [1, 2, 3], failed: [] });
    expect(heard.sort()).toEqual(['w1 any config', 'w1 config {"level":"debug"}', 'w2 any config', 'w2 config {"level":"debug"}', 'w3 any config', 'w3 config {"level":"debug"}']);
  });

  it('skips a worker whose channel has closed, reports it, and still reaches the others', async () => {
    const workers = [await worker(), await worker(), await worker()];
    const heard: number[] = [];
    workers.forEach(({ link }, i) => link.onBroadcast('bye', () => void heard.push(i + 1)));
    workers[1]!.worker.disconnect(); // dying: still in cluster.workers until its exit, as in Node
    let crashed: unknown = null;
    workers[1]!.worker.on('error', (error) => (crashed = error)); // a plain send() would have emitted this
    const result = await hub.broadcast('bye');
    expect(result).toEqual({ type: 'bye', delivered: [1, 3], failed: [{ id: 2, error: 'its IPC channel is closed' }] });
    expect(heard).toEqual([1, 3]);
    expect(crashed).toBeNull();
  });

  it('reports a send that fails after the check, without an error event', async () => {
    const workers = [await worker(), await worker()];
    // Connected when checked, closed by the time send runs: the callback carries the error.
    const w = workers[0]!.worker;
    const send = w.send.bind(w);
    w.send = (message, handle, options, callback) => ((w.connected = false), send(message, handle, options, callback));
    const result = await hub.broadcast('x');
    expect(result).toEqual({ type: 'x', delivered: [2], failed: [{ id: 1, error: 'Channel closed' }] });
  });

  it('resolves within its timeout when a worker never confirms, listing it as failed', async () => {
    const workers = [await worker(), await worker()];
    workers[0]!.worker.confirms = false; // it stopped reading its channel
    const result = hub.broadcast('x', null, { timeoutMs: 200 });
    await vi.advanceTimersByTimeAsync(200);
    expect(await result).toEqual({ type: 'x', delivered: [2], failed: [{ id: 1, error: 'not confirmed within 200 ms (is it reading its channel?)' }] });
  });

  it('runs the other listeners when one throws, and warns', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { link } = await worker();
    const heard: string[] = [];
    link.onBroadcast('x', () => { throw new Error('listener bug'); });
    link.onBroadcast('x', () => void heard.push('second'));
    await hub.broadcast('x');
    await settle();
    expect(heard).toEqual(['second']);
    expect(warn).toHaveBeenCalledWith('a broadcast listener for "x" threw: listener bug', 'MiniClusterWarning');
  });

  it('refuses a reserved or empty type before sending anything', async () => {
    const { worker: w } = await worker();
    const before = w.sent.length;
    await expect(hub.broadcast('mini-cluster:state')).rejects.toThrow("broadcast not sent: types starting with 'mini-cluster:' are reserved");
    await expect(hub.broadcast('')).rejects.toThrow('broadcast not sent: a type must be a string');
    expect(w.sent.length).toBe(before);
  });
});

describe('shared state', () => {
  it("gives a joining worker the primary's state, and hub.joined resolves once it is in place", async () => {
    hub.state.set('mode', 'live');
    hub.state.set('limits', { rps: 100 });
    const { worker: w, cluster: side } = cluster.fork();
    const joined = hub.joined(w).then(() => 'joined');
    const link = joinHub(side);
    expect(() => link.state.get('mode')).toThrow('await link.ready');
    await link.ready;
    expect(await joined).toBe('joined');
    expect([link.state.get('mode'), link.state.get('limits'), link.state.version]).toEqual(['live', { rps: 100 }, 2]);
    expect(hub.members()).toEqual([1]);
  });

  it("orders a change made just after a worker's join behind that worker's snapshot", async () => {
    const { cluster: side } = cluster.fork();
    const link = joinHub(side);
    const counted = link.state.increment('hits'); // sent right behind the join, before the snapshot is back
    await link.ready;
    expect(await counted).toBe(1);
    expect([link.state.get('hits'), link.state.version]).toEqual([1, 1]);
  });

  it('rejects hub.joined when the worker exits first, or never joins in time', async () => {
    const { worker: leaver } = cluster.fork();
    const left = hub.joined(leaver).catch((e: Error) => e.message);
    leaver.exit(1, null);
    expect(await left).toBe('worker 1 left before it joined');
    const { worker: silent } = cluster.fork();
    const never = hub.joined(silent, { timeoutMs: 300 }).catch((e: Error) => e.message);
    await vi.advanceTimersByTimeAsync(300);
    expect(await never).toBe('worker 2 did not join within 300 ms (does it call joinHub(cluster)?)');
  });

  it("resolves a worker's write after its own copy has the change", async () => {
    const { link } = await worker();
    const version = await link.state.set('mode', 'maintenance');
    expect(link.state.get('mode')).toBe('maintenance');
    expect(link.state.version).toBe(version);
    expect(hub.state.get('mode')).toBe('maintenance');
    expect(await link.state.increment('hits', 5)).toBe(5);
    expect(link.state.get('hits')).toBe(5);
    expect(await link.state.delete('mode')).toBe(true);
    expect(await link.state.delete('mode')).toBe(false);
    expect(link.state.has('mode')).toBe(false);
  });

  it('loses no increment when many workers write at once', async () => {
    const workers = [await worker(), await worker(), await worker()];
    await Promise.all(workers.map(({ link }) => Promise.all(Array.from({ length: 1_000 }, () => link.state.increment('hits')))));
    await settle();
    expect(hub.state.get('hits')).toBe(3_000);
    for (const { link } of workers) expect(link.state.get('hits')).toBe(3_000);
  });

  it("would lose increments done as get-then-set: the race increment() removes", async () => {
    const workers = [await worker(), await worker()];
    // Each worker reads its copy and writes back one more, 100 times, both at once.
    await Promise.all(workers.map(async ({ link }) => {
      for (let i = 0; i < 100; i++) await link.state.set('hits', ((link.state.get('hits') as number | undefined) ?? 0) + 1);
    }));
    expect(hub.state.get('hits')).toBeLessThan(200);
  });

  it('tells subscribers every change in order, in the primary and in each worker', async () => {
    const one = await worker();
    const two = await worker();
    const seen = { primary: [] as Change[], one: [] as Change[], two: [] as Change[] };
    hub.state.subscribe('*', (c) => void seen.primary.push(c));
    one.link.state.subscribe('hits', (c) => void seen.one.push(c));
    two.link.state.subscribe('*', (c) => void seen.two.push(c));
    await one.link.state.increment('hits');
    hub.state.set('mode', 'live');
    await two.link.state.increment('hits');
    hub.state.delete('mode');
    await settle();
    const expected = [
      { key: 'hits', value: 1, deleted: false, version: 1 },
      { key: 'mode', value: 'live', deleted: false, version: 2 },
      { key: 'hits', value: 2, deleted: false, version: 3 },
      { key: 'mode', value: undefined, deleted: true, version: 4 },
    ];
    expect(seen.primary).toEqual(expected);
    expect(seen.two).toEqual(expected);
    expect(seen.one).toEqual(expected.filter((c) => c.key === 'hits'));
  });

  it('refuses values JSON cannot carry, naming the key, and changes nothing', async () => {
    const { link } = await worker();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => hub.state.set('big', 1n)).toThrow('the value for state key "big" cannot be stored: Do not know how to serialize a BigInt');
    expect(() => hub.state.set('loop', cyclic)).toThrow(/the value for state key "loop" cannot be stored: Converting circular structure/);
    expect(() => hub.state.set('gone', undefined)).toThrow('the value for state key "gone" must be JSON (null, a boolean, number, string, array or plain object), got undefined; delete() removes a key');
    expect(() => hub.state.set('', 1)).toThrow('a state key must be a string of 1 to 200 characters, got ""');
    await expect(link.state.set('big', 1n)).rejects.toThrow('the value for state key "big" cannot be stored');
    expect(hub.state.version).toBe(0);
    expect(hub.state.keys()).toEqual([]);
  });

  it('refuses to increment a key that holds something other than a number', async () => {
    const { link } = await worker();
    hub.state.set('mode', 'live');
    expect(() => hub.state.increment('mode')).toThrow('state key "mode" holds "live", not a number: increment refused');
    await expect(link.state.increment('mode')).rejects.toThrow('request "mini-cluster:state.increment" #2 to the primary failed: TypeError: state key "mode" holds "live", not a number: increment refused');
    await expect(link.state.increment('hits', Number.NaN)).rejects.toThrow('increment("hits") needs a finite number to add, got NaN');
    expect(hub.state.get('mode')).toBe('live');
  });

  it("keeps a copy of a set value: mutating the caller's object later changes nothing", () => {
    const limits = { rps: 100 };
    hub.state.set('limits', limits);
    limits.rps = 1;
    (hub.state.get('limits') as { rps: number }).rps = 2;
    expect(hub.state.get('limits')).toEqual({ rps: 100 });
  });

  it('stops sending changes to a worker that left', async () => {
    const one = await worker();
    const two = await worker();
    one.worker.exit(0, null);
    const sentBefore = one.worker.sent.length;
    hub.state.set('mode', 'live');
    await settle();
    expect(one.worker.sent.length).toBe(sentBefore);
    expect(two.link.state.get('mode')).toBe('live');
    expect(hub.members()).toEqual([2]);
  });
});

describe('a worker\'s copy of the state', () => {
  it('applies a change that overtook the snapshot after the snapshot, and ignores an old one', () => {
    const replica = new StateReplica(async () => undefined);
    replica.apply({ cmd: 'mini-cluster:state', version: 6, key: 'hits', value: 6 }); // arrives before the snapshot
    replica.install({ version: 5, entries: [['hits', 5], ['mode', 'live']] });
    expect([replica.get('hits'), replica.version]).toEqual([6, 6]);
    replica.apply({ cmd: 'mini-cluster:state', version: 4, key: 'hits', value: 4 }); // a stale duplicate
    expect([replica.get('hits'), replica.version]).toEqual([6, 6]);
  });

  it('refuses a snapshot without a version or entries', () => {
    const replica = new StateReplica(async () => undefined);
    expect(() => replica.install({ entries: [] } as never)).toThrow('the snapshot has no version or no entries');
    expect(replica.loaded).toBe(false);
  });
});
