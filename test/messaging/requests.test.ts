// Request/response between a hub (primary) and links (workers) over fake
// channels, with fake timers: replies are matched by id and by sender, a
// timeout rejects with an error that names the request, a peer that leaves
// rejects what it owes at once, and garbage or lookalike messages neither
// crash anything nor get taken for ours.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHub, joinHub, RequestError, type Hub, type Link } from '../../src/messaging/index.ts';
import { FakeCluster, settle, type FakeWorker } from './fake-cluster.ts';

let cluster: FakeCluster;
let hub: Hub;

/** Fork a fake worker and join it to the hub. */
async function worker(): Promise<{ worker: FakeWorker; link: Link }> {
  const { worker, cluster: side } = cluster.fork();
  const link = joinHub(side);
  await settle();
  await link.ready;
  return { worker, link };
}

/** 'resolved: <value>', 'rejected: <code> <message>' or 'pending', once the microtasks ran. */
async function state(promise: Promise<unknown>): Promise<string> {
  let result = 'pending';
  promise.then(
    (value) => (result = `resolved: ${JSON.stringify(value)}`),
    (error: RequestError) => (result = `rejected: ${error.code} ${error.message}`),
  );
  await settle();
  return result;
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

describe('request and reply', () => {
  it("resolve a worker's request with the primary handler's answer, and tell the handler who asked", async () => {
    const { link } = await worker();
    hub.handle('add', ({ a, b }: { a: number; b: number }, { from }) => ({ sum: a + b, from: from.id }));
    expect(await link.request('primary', 'add', { a: 2, b: 3 })).toEqual({ sum: 5, from: 1 });
  });

  it("resolve the primary's request with a worker handler's answer, sync or async", async () => {
    const { worker: w, link } = await worker();
    link.handle('now', () => 'sync');
    link.handle('later', async () => 'async');
    expect(await hub.request(w, 'now')).toBe('sync');
    expect(await hub.request(w, 'later')).toBe('async');
  });

  it('match replies by id when they come back in another order', async () => {
    const { worker: w, link } = await worker();
    link.handle('wait', (ms: number) => new Promise((resolve) => setTimeout(() => resolve(ms), ms)));
    const answers: number[] = [];
    const all = Promise.all([300, 100, 200].map((ms) => hub.request<number>(w, 'wait', ms).then((v) => void answers.push(v))));
    await vi.advanceTimersByTimeAsync(300);
    await all;
    expect(answers).toEqual([100, 200, 300]);
    // The hub numbered them 1, 2, 3; the worker answered 2, 3, 1, and each answer found its request.
    expect(w.side.sent.filter((m: any) => m.cmd === 'mini-cluster:reply').map((m: any) => m.id)).toEqual([2, 3, 1]);
  });

  it('never let a request of the primary and one of a worker with the same id answer each other', async () => {
    const { worker: w, link } = await worker();
    link.handle('burn', () => null);
    await hub.request(w, 'burn'); // the hub's id 1; the link's id 1 was its join: both sides are at 2 now
    const later = (answer: string) => () => new Promise((resolve) => setTimeout(() => resolve(answer), 10));
    hub.handle('who', later('the primary answered'));
    link.handle('who', later('the worker answered'));
    const both = Promise.all([hub.request(w, 'who'), link.request('primary', 'who')]); // both id 2, in flight together
    await settle();
    const requests = (sent: unknown[]): number[] => sent.filter((m: any) => m.cmd === 'mini-cluster:request' && m.type === 'who').map((m: any) => m.id);
    expect([requests(w.sent), requests(w.side.sent)]).toEqual([[2], [2]]);
    await vi.advanceTimersByTimeAsync(10);
    expect(await both).toEqual(['the worker answered', 'the primary answered']);
    expect(hub.stats()).toMatchObject({ unknown: 0, late: 0 });
  });

  it('ignore a reply with the right id from the wrong worker, and count it as unknown', async () => {
    const one = await worker();
    const two = await worker();
    one.link.handle('slow', () => new Promise((resolve) => setTimeout(() => resolve('from worker 1'), 50)));
    const asked = hub.request(one.worker, 'slow'); // id 1 on the hub
    await settle();
    two.worker.inject({ cmd: 'mini-cluster:reply', id: 1, ok: true, data: 'forged by worker 2' });
    expect(await state(asked)).toBe('pending');
    await vi.advanceTimersByTimeAsync(50);
    expect(await asked).toBe('from worker 1');
    expect(hub.stats()).toMatchObject({ unknown: 1, late: 0, pending: 0 });
  });

  it('carry a handle with the request to the handler', async () => {
    const { worker: w, link } = await worker();
    const handle = { fake: 'socket' };
    link.handle('take', (_data, { handle: got }) => got === handle);
    expect(await hub.request(w, 'take', null, { handle: handle as never })).toBe(true);
  });

  it('close a handle that came with a request nobody handles', async () => {
    const { worker: w } = await worker();
    const handle = { destroy: vi.fn() };
    const asked = hub.request(w, 'nobody', null, { handle: handle as never });
    expect(await state(asked)).toBe('rejected: ERR_NO_HANDLER request "nobody" #1 to worker 1 failed: worker 1 has no handler for "nobody"');
    expect(handle.destroy).toHaveBeenCalledTimes(1);
  });
});

describe('timeouts', () => {
  it('reject at timeoutMs with an error naming the type, the id, who was asked and the time', async () => {
    const { worker: w, link } = await worker();
    link.handle('never', () => new Promise(() => {}));
    const asked = hub.request(w, 'never', null, { timeoutMs: 100 });
    await vi.advanceTimersByTimeAsync(99);
    expect(await state(asked)).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(await state(asked)).toBe('rejected: ERR_REQUEST_TIMEOUT request "never" #1 to worker 1 timed out after 100 ms');
    expect(hub.stats()).toMatchObject({ timedOut: 1, pending: 0 });
  });

  it("use the link's default timeout for a worker's request", async () => {
    const { cluster: side } = cluster.fork();
    const link = joinHub(side, { timeoutMs: 250 });
    await settle();
    const asked = link.request('primary', 'unanswered-because-no-one-replies');
    hub.close(); // the primary stops listening: nothing will ever answer
    await vi.advanceTimersByTimeAsync(249);
    expect(await state(asked)).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(await state(asked)).toBe('rejected: ERR_REQUEST_TIMEOUT request "unanswered-because-no-one-replies" #2 to the primary timed out after 250 ms');
  });

  it('ignore a reply that comes after the timeout, and count it as late', async () => {
    const { worker: w, link } = await worker();
    link.handle('slow', () => new Promise((resolve) => setTimeout(() => resolve('too late'), 500)));
    const asked = hub.request(w, 'slow', null, { timeoutMs: 100 }).catch((error: RequestError) => error.code);
    await vi.advanceTimersByTimeAsync(500);
    expect(await asked).toBe('ERR_REQUEST_TIMEOUT');
    await settle();
    expect(hub.stats()).toMatchObject({ timedOut: 1, late: 1, unknown: 0, pending: 0 });
  });

  it('ignore a reply to an id never issued, and count it as unknown', async () => {
    const { worker: w } = await worker();
    w.inject({ cmd: 'mini-cluster:reply', id: 4242, ok: true, data: 'for nobody' });
    await settle();
    expect(hub.stats()).toMatchObject({ unknown: 1, late: 0, malformed: 0 });
  });

  it('reject the join with a hint when the primary has no hub', async () => {
    hub.close();
    const { cluster: side } = cluster.fork();
    const link = joinHub(side, { joinTimeoutMs: 300 });
    const ready = link.ready.then(() => 'joined', (error: Error) => error.message);
    await vi.advanceTimersByTimeAsync(300);
    expect(await ready).toBe(`worker 1 could not join the primary's hub: request "mini-cluster:state.join" #1 to the primary timed out after 300 ms (does the primary call createHub(cluster)?)`);
    expect(() => link.state.get('x')).toThrow('the shared state is not here yet: await link.ready before reading it');
  });
});

describe('a peer that leaves mid-request', () => {
  it('rejects every request owed by a worker that exits at once, not at the timeout', async () => {
    const { worker: w, link } = await worker();
    link.handle('slow', () => new Promise(() => {}));
    const asked = [hub.request(w, 'slow', 1, { timeoutMs: 10_000 }), hub.request(w, 'slow', 2, { timeoutMs: 10_000 })];
    await settle();
    w.exit(null, 'SIGKILL');
    expect(await state(asked[0]!)).toBe('rejected: ERR_PEER_GONE request "slow" #1 to worker 1 failed: worker 1 disconnected before replying');
    expect(await state(asked[1]!)).toMatch(/^rejected: ERR_PEER_GONE request "slow" #2/);
    expect(hub.stats()).toMatchObject({ peerGone: 2, pending: 0, timedOut: 0 });
  });

  it('names the exit when the process ends before its channel reports closed', async () => {
    const { worker: w, link } = await worker();
    link.handle('slow', () => new Promise(() => {}));
    const asked = hub.request(w, 'slow', null, { timeoutMs: 10_000 });
    await settle();
    cluster.emit('exit', w, null, 'SIGKILL'); // node:cluster can report 'exit' first
    expect(await state(asked)).toBe('rejected: ERR_PEER_GONE request "slow" #1 to worker 1 failed: worker 1 exited (SIGKILL) before replying');
  });

  it("rejects a worker's requests at once when its channel to the primary closes", async () => {
    const { worker: w, link } = await worker();
    hub.handle('slow', () => new Promise(() => {}));
    const asked = link.request('primary', 'slow', null, { timeoutMs: 10_000 });
    await settle();
    w.disconnect();
    expect(await state(asked)).toBe('rejected: ERR_PEER_GONE request "slow" #2 to the primary failed: the channel to the primary closed before a reply');
  });

  it('rejects a request to a worker that is already disconnected without sending it', async () => {
    const { worker: w } = await worker();
    w.disconnect();
    const sentBefore = w.sent.length;
    expect(await state(hub.request(w, 'x'))).toBe('rejected: ERR_PEER_GONE request "x" to worker 1 failed: worker 1 is not connected');
    expect(w.sent.length).toBe(sentBefore);
  });

  it('counts, and does not throw on, an answer whose asker has gone', async () => {
    const { worker: w, link } = await worker();
    hub.handle('slow', () => new Promise((resolve) => setTimeout(() => resolve('nobody hears this'), 100)));
    void link.request('primary', 'slow', null, { timeoutMs: 10_000 }).catch(() => {});
    await settle();
    w.disconnect();
    await vi.advanceTimersByTimeAsync(100);
    expect(hub.stats().unsentReplies).toBe(1);
  });
});

describe('errors a caller can act on', () => {
  it("reject with the handler's own error when it throws or rejects", async () => {
    const { link } = await worker();
    hub.handle('sync', () => { throw new RangeError('no such sku'); });
    hub.handle('async', async () => { throw Object.assign(new Error('db down'), { code: 'ECONNREFUSED' }); });
    const sync = await link.request('primary', 'sync').catch((e: RequestError) => e);
    expect(sync).toBeInstanceOf(RequestError);
    expect(sync).toMatchObject({ code: 'ERR_HANDLER_FAILED', message: 'request "sync" #2 to the primary failed: RangeError: no such sku', remote: { name: 'RangeError', message: 'no such sku' } });
    const async = await link.request('primary', 'async').catch((e: RequestError) => e);
    expect(async).toMatchObject({ code: 'ERR_HANDLER_FAILED', remote: { name: 'Error', message: 'db down', code: 'ECONNREFUSED' } });
  });

  it('reject at once, not at the timeout, when nobody handles the type', async () => {
    const { link } = await worker();
    expect(await state(link.request('primary', 'missing', null, { timeoutMs: 60_000 })))
      .toBe('rejected: ERR_NO_HANDLER request "missing" #2 to the primary failed: the primary has no handler for "missing"');
  });

  it('refuse bad arguments with ERR_INVALID_REQUEST and send nothing', async () => {
    const { worker: w, link } = await worker();
    const sentBefore = w.sent.length;
    const cases: [Promise<unknown>, string][] = [
      [hub.request(w, 'mini-cluster:state.set'), "types starting with 'mini-cluster:' are reserved"],
      [hub.request(w, ''), 'a type must be a string of 1 to 200 characters, got ""'],
      [hub.request(w, 42 as never), 'got 42'],
      [hub.request(w, 'x', null, { timeoutMs: 0 }), 'timeoutMs must be a number of ms from 1 to 2147483647, got 0'],
      [hub.request(w, 'x', null, { timeoutMs: '100' as never }), 'got "100"'],
      [hub.request(w, 'x', null, { timeoutMs: Number.NaN }), 'got NaN'],
      [hub.request({ id: 'w1' } as never, 'x'), 'the target is not a cluster Worker'],
      [link.request('worker 2' as never, 'x'), "a worker can only ask 'primary'"],
    ];
    for (const [promise, text] of cases) {
      const error = await promise.catch((e: RequestError) => e);
      expect(error).toMatchObject({ code: 'ERR_INVALID_REQUEST' });
      expect((error as Error).message).toContain(text);
    }
    expect(w.sent.length).toBe(sentBefore);
    expect(hub.stats().pending).toBe(0);
  });

  it('reject with ERR_SEND_FAILED when the data cannot be serialised, and keep nothing pending', async () => {
    const { worker: w } = await worker();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await state(hub.request(w, 'x', { n: 1n }))).toBe('rejected: ERR_SEND_FAILED request "x" #1 to worker 1 could not be sent: Do not know how to serialize a BigInt');
    expect(await state(hub.request(w, 'x', cyclic))).toMatch(/^rejected: ERR_SEND_FAILED request "x" #2 to worker 1 could not be sent: Converting circular structure to JSON/);
    expect(hub.stats().pending).toBe(0);
  });

  it("reject with a clear error, not a timeout, when the handler's answer cannot be serialised", async () => {
    const { link } = await worker();
    hub.handle('big', () => ({ n: 10n }));
    expect(await state(link.request('primary', 'big')))
      .toBe("rejected: ERR_HANDLER_FAILED request \"big\" #2 to the primary failed: TypeError: the handler's answer could not be sent: Do not know how to serialize a BigInt");
  });

  it('refuse a second handler for one type, and a reserved type', () => {
    hub.handle('once', () => 1);
    expect(() => hub.handle('once', () => 2)).toThrow('there is already a handler for "once"');
    expect(() => hub.handle('mini-cluster:mine', () => 1)).toThrow("types starting with 'mini-cluster:' are reserved");
  });

  it('refuse a second hub on one cluster, and a hub in a worker', () => {
    expect(() => createHub(cluster)).toThrow('this cluster has a hub already');
    const { cluster: side } = cluster.fork();
    expect(() => createHub(side as never)).toThrow('createHub() runs in the primary');
    expect(() => joinHub(cluster as never)).toThrow('joinHub() runs in a worker');
  });
});

describe('garbage and lookalikes', () => {
  it('count and ignore messages with our tag but a bad shape, warn, and go on working', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { worker: w, link } = await worker();
    hub.handle('ping', () => 'pong');
    const garbage = [
      { cmd: 'mini-cluster:reply', id: 'one', ok: true },
      { cmd: 'mini-cluster:reply', id: -1, ok: true },
      { cmd: 'mini-cluster:reply', id: 1, ok: 'yes' },
      { cmd: 'mini-cluster:reply', id: 1, ok: false, error: 'boom' },
      { cmd: 'mini-cluster:request', id: 1.5, type: 'ping' },
      { cmd: 'mini-cluster:request', id: 1, type: 'x'.repeat(201) },
      { cmd: 'mini-cluster:request', id: 1 },
      { cmd: 'mini-cluster:joined', version: 'latest' },
      { cmd: 'mini-cluster:state', version: 1, key: 'hits', value: 1 }, // changes only go primary → worker
      { cmd: 'mini-cluster:broadcast', type: 'x' }, // as do broadcasts
    ];
    for (const message of garbage) w.inject(message);
    await settle();
    expect(hub.stats()).toMatchObject({ malformed: garbage.length, unknown: 0, late: 0, pending: 0 });
    expect(warn).toHaveBeenCalledTimes(10);
    expect(warn.mock.calls[0]![0]).toBe('worker 1 sent a malformed mini-cluster message (mini-cluster:reply: id is not a positive integer); ignored [1 so far]');
    expect(await link.request('primary', 'ping')).toBe('pong');
  });

  it('warn about the first ten malformed messages, then only at 100, 1000, ...', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { worker: w } = await worker();
    for (let i = 0; i < 1000; i++) w.inject({ cmd: 'mini-cluster:reply', id: 0 });
    await settle(40);
    expect(hub.stats().malformed).toBe(1000);
    expect(warn).toHaveBeenCalledTimes(12);
  });

  it("neither take a user's lookalike message for a reply nor hide it from the user's listener", async () => {
    const { worker: w, link } = await worker();
    link.handle('real', () => new Promise((resolve) => setTimeout(() => resolve('the real answer'), 10)));
    const seenByUser: unknown[] = [];
    cluster.on('message', (_worker, message) => seenByUser.push(message));
    const asked = hub.request(w, 'real'); // id 1
    const lookalikes = [
      { type: 'response', originalId: 1, data: 'seed 003 style' },
      { cmd: 'reply', id: 1, ok: true, data: 'no prefix' },
      { cmd: 'mini-cluster:replies', id: 1, ok: true, data: 'almost our cmd' },
      { cmd: 'MINI-CLUSTER:REPLY', id: 1, ok: true, data: 'other case' },
      { id: 1, ok: true, data: 'no cmd at all' },
      'mini-cluster:reply',
      { cmd: 'mini-cluster:health', pid: 1, rss: 1 }, // the supervisor's: not ours, not garbage
    ];
    for (const message of lookalikes) w.inject(message);
    await settle();
    expect(await state(asked)).toBe('pending');
    expect(seenByUser).toEqual(lookalikes);
    await vi.advanceTimersByTimeAsync(10);
    expect(await asked).toBe('the real answer');
    expect(hub.stats()).toMatchObject({ malformed: 0, unknown: 0, late: 0 });
  });

  it("never answer a user's message that looks like a request", async () => {
    const { worker: w } = await worker();
    hub.handle('ping', () => 'pong');
    const before = w.sent.length;
    w.inject({ type: 'ping', id: 9 });
    w.inject({ cmd: 'request', id: 9, type: 'ping' });
    await settle();
    expect(w.sent.length).toBe(before);
  });
});
