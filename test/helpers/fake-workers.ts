// Fakes for the primary's handle specs (round-robin-handle, scheduled-handle):
// a net.Server the spec binds by hand, a listening handle, client handles,
// and real Workers around fake ChildProcesses whose replies go through the
// real internal() listener, so they are matched by `ack` as in the primary.
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { expect, vi, type Mock } from 'vitest';
import { internal, type Envelope, type RawHandle } from '../../src/ipc.ts';
import type { AddCallback, BindingServer, RoundRobinHandle } from '../../src/master/round-robin-handle.ts';
import { Worker } from '../../src/worker.ts';
import { newconnAccepted, newconnRefused, sockname } from '../fixtures/messages.ts';

export type ListenHandle = NonNullable<BindingServer['_handle']>;
export type FakeClient = RawHandle & { name: string; close: Mock<() => void> };
export interface Sent { message: Envelope; handle: RawHandle | undefined }

/** Stands in for net.Server: records listen(), and the spec decides when it is 'listening'. */
export class FakeServer extends EventEmitter implements BindingServer {
  _handle: ListenHandle | null = null;
  readonly listenCalls: object[] = [];
  readonly close = vi.fn();
  listen(options: object): this {
    this.listenCalls.push(options);
    return this;
  }
  /** The bind succeeded: net.Server sets `_handle`, then emits 'listening'. */
  bound(handle: ListenHandle): void {
    this._handle = handle;
    this.emit('listening');
  }
  /** The bind failed, e.g. EADDRINUSE (errno -98 on Linux). */
  failed(errno: number): void {
    this.emit('error', Object.assign(new Error('listen EADDRINUSE: address already in use'), { errno, code: 'EADDRINUSE' }));
  }
}

/** A listening TCP handle; without `getsockname` it stands for a pipe. */
export function fakeListenHandle({ pipe = false } = {}): ListenHandle & { close: Mock<() => void> } {
  const handle = {
    close: vi.fn(),
    onconnection: () => { throw new Error('RoundRobinHandle did not take over onconnection'); },
  };
  if (pipe) return handle;
  return { ...handle, getsockname: (out: object) => (Object.assign(out, sockname), 0) };
}

/** An accepted client connection, as libuv hands it to onconnection. */
export function client(name: string): FakeClient {
  return { name, close: vi.fn() };
}

const fakeWorkers: FakeWorker[] = [];

/**
 * A real Worker around a fake ChildProcess that records what the primary sends.
 * `answer()` plays the worker's onconnection: it replies to the oldest
 * unanswered newconn through the real `internal()` listener, so the reply is
 * matched by `ack` exactly as in the primary.
 */
export class FakeWorker {
  readonly sent: Sent[] = [];
  /** Messages that matched no pending request and fell through to the handler. */
  readonly unmatched: Envelope[] = [];
  readonly proc = Object.assign(new EventEmitter(), { connected: true, send: this.#record.bind(this) });
  readonly worker: Worker;
  readonly #deliver: (message: unknown, handle?: RawHandle) => void;
  #answered = 0;

  constructor(id: number) {
    this.worker = new Worker({ id, process: this.proc as unknown as ChildProcess });
    this.#deliver = internal(this.worker, (message) => void this.unmatched.push(message));
    fakeWorkers.push(this);
  }

  #record(message: Envelope, handle?: RawHandle, _options?: object, _cb?: (err: Error | null) => void): boolean {
    this.sent.push({ message, handle });
    return true;
  }

  get id(): number {
    return this.worker.id;
  }

  /** Every newconn this worker was sent, oldest first. */
  get newconns(): Sent[] {
    return this.sent.filter((s) => s.message.act === 'newconn');
  }

  /** The newconns this worker has not answered yet. */
  get inFlight(): Sent[] {
    return this.newconns.slice(this.#answered);
  }

  /** Names of the connections offered to this worker, in order. */
  get offered(): string[] {
    return this.newconns.map((s) => (s.handle as FakeClient).name);
  }

  /** Reply to the oldest unanswered newconn; returns the connection it was about. */
  answer(accepted: boolean, extra: Record<string, unknown> = {}): FakeClient {
    const request = this.inFlight[0];
    if (request === undefined) throw new Error(`worker ${this.id} has no newconn to answer`);
    this.#answered += 1;
    this.#deliver({ ...(accepted ? newconnAccepted : newconnRefused), ...extra, ack: request.message.seq });
    return request.handle as FakeClient;
  }
}

/** For afterEach: every reply a fake worker sent must have reached the callback of its request. */
export function expectRepliesMatched(): void {
  for (const w of fakeWorkers.splice(0)) expect(w.unmatched, `worker ${w.id}: unmatched replies`).toEqual([]);
}


/** Fake workers with ids 1..n, added in order; `send` is each one's add callback. */
export function addWorkers(rr: RoundRobinHandle, n: number): Array<FakeWorker & { send: Mock<AddCallback> }> {
  return Array.from({ length: n }, (_, i) => {
    const w = Object.assign(new FakeWorker(i + 1), { send: vi.fn<AddCallback>() });
    rr.add(w.worker, w.send);
    return w;
  });
}
