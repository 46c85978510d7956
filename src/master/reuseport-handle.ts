/**
 * SCHED_REUSEPORT (ours): every worker binds and listens on its own socket
 * with SO_REUSEPORT, and the kernel spreads connections over the sockets by
 * a hash of each connection's addresses. No hop through the primary, no
 * herd: each socket wakes only its own worker. The primary only chooses the
 * port (so `listen(0)` still gives every worker the same one) and holds it:
 * a socket bound but never listening takes no connections.
 *
 * Mirrors: nothing in Node's cluster (DIVERGENCE: an extension); Bun's old
 *          ReusePortHandle did the same. Node ≥ 22.12 has `listen({ reusePort })`
 * Read next: src/worker/child.ts (reuseport: the worker binds itself)
 *
 *   worker --queryServer--> primary: bind a reservation (REUSEPORT, no listen), port P
 *   worker <--{errno, key, reusePort:{port:P}}-- primary
 *   worker: listen(P, flags | UV_TCP_REUSEPORT) itself; the kernel balances
 *
 * The price: each socket has its own accept queue. When a worker leaves, the
 * connections waiting in its queue are reset by the kernel (unless
 * net.ipv4.tcp_migrate_req is set); round robin's one queue in the primary
 * loses none. And a stalled worker's queue waits for it, where a shared one
 * would be emptied by the others.
 */
import net from 'node:net';
import type { RawHandle, ServerQuery } from '../ipc.ts';
import type { Worker } from '../worker.ts';
import type { AddCallback } from './round-robin-handle.ts';
import type { CreateServerHandle } from './shared-handle.ts';

/** libuv's UV_TCP_REUSEPORT bind flag (libuv ≥ 1.49, Node ≥ 22.12). */
export const UV_TCP_REUSEPORT = 2;

const createServerHandle = (net as unknown as { _createServerHandle: CreateServerHandle })._createServerHandle;

/** `listen({ reusePort })` exists from Node 22.12 and 23.1; Node 20 has no such option. */
export function reusePortSupported(version = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

export class ReusePortHandle {
  readonly key: string;
  readonly workers = new Map<number, Worker>();
  /** The reservation: bound with SO_REUSEPORT, never listening. null if the bind failed or all left. */
  handle: RawHandle | null = null;
  errno = 0;
  port = 0;
  data: unknown = null;

  constructor(key: string, address: string | null, query: ServerQuery, create: CreateServerHandle = createServerHandle) {
    this.key = key;
    const rval = create(address, query.port, query.addressType, query.fd, (query.flags ?? 0) | UV_TCP_REUSEPORT);
    if (typeof rval === 'number') {
      this.errno = rval;
      return;
    }
    this.handle = rval;
    const out: { port?: number } = {};
    (rval.getsockname as (o: object) => number)(out);
    this.port = out.port ?? 0;
  }

  /** Tell the worker which port to bind itself (or why it cannot). False if it was here already. */
  add(worker: Worker, send: AddCallback): boolean {
    if (this.workers.has(worker.id)) return false;
    this.workers.set(worker.id, worker);
    send(this.errno || null, this.errno ? null : { reusePort: { port: this.port } }, null);
    return true;
  }

  /** True when the last worker left: the reservation is let go, and the port with it. */
  remove(worker: Worker): boolean {
    if (!this.workers.delete(worker.id)) return false;
    if (this.workers.size !== 0) return false;
    this.handle?.close();
    this.handle = null;
    return true;
  }

  describe(): string {
    return `ReusePortHandle ${this.key} port ${this.port}, bound by [${[...this.workers.keys()].map((id) => `w${id}`).join(',')}]`;
  }
}
