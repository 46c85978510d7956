/**
 * The primary's half of choosing a worker, in one process with no sockets:
 * a RoundRobinHandle or ScheduledHandle bound to a fake listening handle,
 * with n real Worker objects around fake child processes that answer each
 * newconn at once through the real internal() listener. What remains is
 * what the primary itself does per connection: decide, hand off, take the
 * answer, hand off again. The IPC and the kernel are left out on purpose.
 *
 * Mirrors: nothing — a measuring helper (test/helpers/fake-workers.ts does the same for the specs)
 * Read next: scripts/choosing/cost.ts (what is timed), src/master/scheduled-handle.ts
 *
 *   connection => handle.distribute(0, client) => newconn to a fake worker (recorded)
 *              => answer({ack, accepted: true, open}) => handoff => the next connection
 */
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { CMD, internal, type Envelope, type RawHandle, type ServerQuery } from '../../src/ipc.ts';
import { RoundRobinHandle, type BindingServer } from '../../src/master/round-robin-handle.ts';
import { ScheduledHandle } from '../../src/master/scheduled-handle.ts';
import { createScheduler, type SchedulerSetting } from '../../src/master/scheduler.ts';
import { Worker } from '../../src/worker.ts';

const QUERY = { act: 'queryServer', index: 0, data: null, address: '127.0.0.1', port: 0, addressType: 4, flags: 0, backlog: 0 } as unknown as ServerQuery;

/** A worker whose process records the last newconn sent to it; answer() replies to it. */
export class FakeWorker {
  readonly worker: Worker;
  /** The seq of the newconn waiting for this worker's answer, if any. */
  waiting: number | undefined;
  /** Open connections this worker says it holds (what a scheduler counts). */
  open = 0;
  readonly #deliver: (message: unknown, handle?: RawHandle) => void;

  /** `onNewconn`: told which worker was just sent a connection, so the caller can answer without a search. */
  constructor(id: number, onNewconn: (w: FakeWorker) => void = () => {}) {
    const proc = Object.assign(new EventEmitter(), {
      connected: true,
      send: (message: Envelope) => {
        if (message.act !== 'newconn') return true;
        this.waiting = message.seq;
        onNewconn(this);
        return true;
      },
    });
    this.worker = new Worker({ id, process: proc as unknown as ChildProcess });
    this.#deliver = internal(this.worker, () => {});
  }

  /** Accept the connection in flight, saying how many this worker now holds. */
  answer(): void {
    const seq = this.waiting;
    if (seq === undefined) return;
    this.waiting = undefined;
    this.open++;
    this.#deliver({ cmd: CMD, ack: seq, accepted: true, open: this.open, seq: 0 });
  }
}

/** A listener with n fake workers added, bound and ready to distribute. */
export function listener(setting: SchedulerSetting, n: number, onNewconn?: (w: FakeWorker) => void): { handle: RoundRobinHandle; workers: FakeWorker[] } {
  const server = Object.assign(new EventEmitter(), { _handle: null as BindingServer['_handle'], listen: () => server }) as unknown as BindingServer;
  server.setMaxListeners(0); // every add() waits for 'listening' and 'error': 64 workers, 128 listeners
  const scheduler = createScheduler(setting);
  const handle = scheduler === null
    ? new RoundRobinHandle('127.0.0.1:0:4:undefined:0', '127.0.0.1', QUERY, () => server)
    : new ScheduledHandle('127.0.0.1:0:4:undefined:0', '127.0.0.1', QUERY, scheduler, {}, () => server);
  const workers = Array.from({ length: n }, (_, i) => new FakeWorker(i + 1, onNewconn));
  for (const w of workers) handle.add(w.worker, () => {});
  server._handle = { close() {}, onconnection() {}, getsockname: (out: object) => (Object.assign(out, { address: '127.0.0.1', port: 1, family: 'IPv4' }), 0) } as unknown as BindingServer['_handle'];
  server.emit('listening');
  return { handle, workers };
}

/** A client connection from `address` (getpeername answers with it), whose close() does nothing. */
export function client(address: string): RawHandle {
  return {
    close() {},
    getpeername: (out: { address?: string; port?: number; family?: string }) => (Object.assign(out, { address, port: 40_000, family: 'IPv4' }), 0),
  } as unknown as RawHandle;
}
