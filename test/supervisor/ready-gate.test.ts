// The supervisor's readyGate: a condition the primary checks itself (e.g.
// "it has the shared state", hub.joined) that a new worker must pass, as
// well as its 'listening', before it counts as ready. A fake worker and
// fake timers: no processes.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { waitReady } from '../../src/supervisor/lifecycle.ts';
import type { WorkerLike } from '../../src/supervisor/protocol.ts';

function fakeWorker(): WorkerLike & EventEmitter {
  return Object.assign(new EventEmitter(), {
    id: 7, process: { pid: 1234 }, exitedAfterDisconnect: undefined,
    send: () => true, disconnect: () => undefined, kill: () => undefined, isDead: () => false, isConnected: () => true,
  });
}

/** A promise and the functions that settle it. */
function deferred(): { promise: Promise<void>; resolve(): void; reject(error: Error): void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** 'ready', 'failed: <message>' or 'waiting', after the microtasks have run. */
async function outcome(ready: Promise<void>): Promise<string> {
  let state = 'waiting';
  ready.then(() => (state = 'ready'), (error: Error) => (state = `failed: ${error.message}`));
  await vi.advanceTimersByTimeAsync(0);
  return state;
}

describe('waitReady with a readyGate', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('waits for the gate after listening', async () => {
    const worker = fakeWorker();
    const gate = deferred();
    const ready = waitReady(worker, 'listening', 1_000, () => gate.promise);
    worker.emit('listening', { port: 1 });
    worker.emit('listening', { port: 2 }); // a second server: still one signal
    expect(await outcome(ready)).toBe('waiting');
    gate.resolve();
    expect(await outcome(ready)).toBe('ready');
  });

  it('waits for listening after the gate', async () => {
    const worker = fakeWorker();
    const ready = waitReady(worker, 'listening', 1_000, async () => {});
    expect(await outcome(ready)).toBe('waiting');
    worker.emit('listening', { port: 1 });
    expect(await outcome(ready)).toBe('ready');
  });

  it('fails when the gate rejects, naming the worker and the reason', async () => {
    const worker = fakeWorker();
    const ready = waitReady(worker, 'listening', 1_000, () => Promise.reject(new Error('worker 7 left before it joined')));
    worker.emit('listening', { port: 1 });
    expect(await outcome(ready)).toBe('failed: worker 7 failed its readyGate: worker 7 left before it joined');
  });

  it('fails when the gate throws instead of returning a promise', async () => {
    const ready = waitReady(fakeWorker(), 'listening', 1_000, () => { throw new Error('no hub'); });
    expect(await outcome(ready)).toBe('failed: worker 7 failed its readyGate: no hub');
  });

  it('fails at readyTimeoutMs when the gate never settles', async () => {
    const worker = fakeWorker();
    const ready = waitReady(worker, 'listening', 1_000, () => new Promise(() => {}));
    worker.emit('listening', { port: 1 });
    await vi.advanceTimersByTimeAsync(999);
    expect(await outcome(ready)).toBe('waiting');
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome(ready)).toBe('failed: worker 7 not ready within 1000 ms');
  });

  it('is ready at listening when there is no gate, as before', async () => {
    const worker = fakeWorker();
    const ready = waitReady(worker, 'listening', 1_000);
    worker.emit('listening', { port: 1 });
    expect(await outcome(ready)).toBe('ready');
  });
});
