/**
 * SCHED_NONE: the primary binds the socket but never listens or accepts; it
 * sends the bound handle to every worker, and each worker listens and
 * accepts on the same kernel socket. The kernel picks the winner of each
 * connection: that is the thundering herd, and the imbalance it brings.
 *
 * Mirrors: lib/internal/cluster/shared_handle.js (Node v20)
 * Read next: src/worker/child.ts (shared), then lessons/05-thundering-herd/README.md
 *
 *   worker 1                     primary                          worker 2
 *     |-- queryServer seq:1 --->| bind() once: _createServerHandle   |
 *     |<-- {errno:0} + handle --|                                     |
 *     |                         |<----------- queryServer seq:1 ------|
 *     |                         |---- {errno:0} + the same handle --->|
 *   listen(); accept()                                       listen(); accept()
 */
import net from 'node:net';
import type { RawHandle, ServerQuery } from '../ipc.ts';
import type { Worker } from '../worker.ts';
import type { AddCallback } from './round-robin-handle.ts';

/** net._createServerHandle: bound, not listening; a negative errno on failure. */
export type CreateServerHandle = (
  address: string | null, port: number | null, addressType: number | null, fd: number | undefined, flags: number | undefined,
) => RawHandle | number;

// An exported but undocumented helper of lib/net.js, there since Node 0.x.
const createServerHandle = (net as unknown as { _createServerHandle: CreateServerHandle })._createServerHandle;

export class SharedHandle {
  /** The primary's key for this listener, "address:port:addressType:fd:index". */
  readonly key: string;
  /** Every worker that was sent this handle, by id. */
  readonly workers = new Map<number, Worker>();
  /** The bound (not listening) handle; null if the bind failed or all workers left. */
  handle: RawHandle | null = null;
  /** 0, or the negative libuv errno of the failed bind, reported to every worker. */
  errno = 0;
  /** The first worker's server data (TLS session-ticket keys), shared with all. */
  data: unknown = null;

  constructor(key: string, address: string | null, query: ServerQuery, create: CreateServerHandle = createServerHandle) {
    this.key = key;
    // exercise 05: begin bind
    // Bind synchronously, right now: unlike RoundRobinHandle there is no
    // 'listening' to wait for, because the primary never listens.
    const rval = create(address, query.port, query.addressType, query.fd, query.flags);
    if (typeof rval === 'number') this.errno = rval;
    else this.handle = rval;
    // exercise 05: end
  }

  /** Send the bound handle (or the bind error) to the worker. False if it was here already. */
  add(worker: Worker, send: AddCallback): boolean {
    // exercise 05: begin add
    if (this.workers.has(worker.id)) return false; // DIVERGENCE: Node asserts, which crashes the primary
    this.workers.set(worker.id, worker);
    send(this.errno, null, this.handle);
    return true;
    // exercise 05: end
  }

  /** One line for the step-through mode. */
  describe(): string {
    return `SharedHandle ${this.key} sent to [${[...this.workers.keys()].map((id) => `w${id}`).join(',')}]`;
  }

  /** True when the last worker left: our copy of the socket is closed then. */
  remove(worker: Worker): boolean {
    // exercise 05: begin remove
    if (!this.workers.delete(worker.id)) return false;
    if (this.workers.size !== 0) return false;
    // The workers' duplicates stay open until each of them closes its own.
    this.handle?.close();
    this.handle = null;
    return true;
    // exercise 05: end
  }
}
