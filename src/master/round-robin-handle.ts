/**
 * SCHED_RR: the primary listens and accepts, then hands each connection to
 * one idle worker over IPC.
 *
 * Mirrors: lib/internal/cluster/round_robin_handle.js (Node v20). Longer than
 *          Node's ~130 lines for the trace hooks and seven DIVERGENCE fixes
 *          (each tagged below): a socket bound after every worker left is
 *          closed, a second add() of a worker is refused instead of asserted,
 *          a refusal after the last worker left is closed, a last worker
 *          leaving on purpose is handed the queued clients (drain), a handoff
 *          its worker never answers is redistributed, a refused connection is
 *          never offered twice to the same worker, and the queue can be
 *          bounded (maxPending).
 * Read next: src/worker/child.ts (onconnection, the worker's half)
 *
 *   connection arrives => distribute(handle) => handoff(worker)
 *                      => worker answers {accepted} => close our copy, or redistribute
 *
 *   client        primary (this file)                      worker 2
 *     |--SYN-->| onconnection(err, handle)                    |
 *     |        | distribute: handles=[h]  free=[w2,w3]        |
 *     |        | handoff(w2): handles=[]  free=[w3]           |
 *     |        |--- {act:'newconn', key, seq:9} + handle ---->|
 *     |        |<-- {ack:9, accepted:true} -------------------| emits 'connection'
 *     |        | h.close(); handoff(w2): free=[w3,w2]         |
 */
import net from 'node:net';
import type { EventEmitter } from 'node:events';
import { sendHelper, type Envelope, type NewconnMessage, type RawHandle, type ServerQuery, type Sockname } from '../ipc.ts';
import type { Worker } from '../worker.ts';
import { decide, describeQueues, traceState, tracing, type QueueState } from '../trace.ts';

/** How add() answers the worker: `errno` null on success, negative on failure. */
export type AddCallback = (errno: number | null, reply: { sockname?: Sockname; reusePort?: { port: number } } | null, handle: RawHandle | null) => void;

/** The listening libuv handle once we have taken it from the net.Server. */
interface ListenHandle extends RawHandle {
  onconnection: (err: number, clientHandle: RawHandle) => void;
  getsockname?: (out: object) => number;
}

/** The part of net.Server we use to bind; unit specs pass a fake. */
export interface BindingServer extends EventEmitter {
  listen(options: object): unknown;
  _handle: ListenHandle | null;
}

const UV_TCP_IPV6ONLY = 1;

/** setupPrimary() settings that shape a handle (our extensions; node:cluster has neither). */
export interface HandleOptions {
  /** The most connections the primary holds for nobody yet; past it, new ones are closed (counted). */
  maxPending?: number;
}

export class RoundRobinHandle {
  /** The primary's key for this listener, "address:port:addressType:fd:index". */
  readonly key: string;
  /** Every worker that asked for this listener (queryServer), by id. */
  readonly all = new Map<number, Worker>();
  /**
   * Workers that are idle for this listener (no newconn in flight), oldest
   * idle first. handoff() adds a worker back at the end; distribute() takes
   * from the front. This queue is what makes the rotation strict.
   */
  readonly free = new Map<number, Worker>();
  /**
   * Accepted client handles no worker has taken yet, oldest first.
   * SIMPLIFIED: a plain array; Node 20 threads a linked list through the
   * handles themselves (internal/linkedlist) to make dequeue O(1).
   */
  readonly handles: RawHandle[] = [];
  /** The listening handle, once bound and listening; null before and after. */
  handle: ListenHandle | null = null;
  /** A throwaway net.Server used only to bind and listen; null once listening. */
  server: BindingServer | null;
  /** The first worker's server data (TLS session-ticket keys), shared with all. */
  data: unknown = null;
  /** DIVERGENCE: the workers that refused a connection (accepted: false); it is not offered to them again. */
  readonly refusedBy = new WeakMap<RawHandle, Set<number>>();
  /** Connections closed by the primary, by why: over maxPending, or refused by every worker. */
  readonly closed = { overflow: 0, refusedByAll: 0 };
  readonly maxPending: number;

  constructor(key: string, address: string | null, query: ServerQuery, createServer: () => BindingServer = defaultServer, options: HandleOptions = {}) {
    this.key = key;
    this.maxPending = options.maxPending ?? Infinity;
    const { port, fd, flags = 0, backlog, readableAll, writableAll } = query;
    const server = (this.server = createServer());
    if (fd !== undefined && fd !== null && fd >= 0) server.listen({ fd, backlog });
    else if (port !== null && port >= 0) server.listen({ port, host: address, ipv6Only: Boolean(flags & UV_TCP_IPV6ONLY), backlog });
    else server.listen({ path: address, backlog, readableAll, writableAll });

    // add() reports a failed bind to each waiting worker; this listener only
    // makes sure a bind error can never be an unhandled 'error' in the primary.
    server.on('error', () => {});
    server.once('listening', () => {
      this.server = null;
      // DIVERGENCE: Node does not guard a remove() while still binding. If every worker
      // left meanwhile, nobody wants this socket: close it rather than leak it.
      if (this.all.size === 0) {
        (server as unknown as net.Server).close();
        return;
      }
      // Take the libuv handle away from the net.Server: from now on every
      // accepted connection comes to distribute(), not to a 'connection' event.
      this.handle = server._handle as ListenHandle;
      this.handle.onconnection = (err, clientHandle) => this.distribute(err, clientHandle);
      server._handle = null;
    });
  }

  /**
   * A worker asked for this listener. Answer it once we are listening (with
   * our address, so its server.address() reports the real port), then give
   * it a pending connection or mark it idle. Returns false if it was here already.
   */
  add(worker: Worker, send: AddCallback): boolean {
    if (this.all.has(worker.id)) return false; // DIVERGENCE: Node asserts, which crashes the primary
    this.all.set(worker.id, worker);

    const done = (): void => {
      if (this.handle === null) return; // every worker left while we were binding
      if (this.handle.getsockname !== undefined) {
        const sockname = {} as Sockname;
        this.handle.getsockname(sockname);
        send(null, { sockname }, null);
      } else {
        send(null, null, null); // a pipe has no sockname
      }
      this.handoff(worker);
    };

    if (this.server === null) return (done(), true);
    // Still binding: answer when the bind succeeds or fails.
    this.server.once('listening', done);
    this.server.once('error', (err: NodeJS.ErrnoException) => send(err.errno ?? -1, null, null));
    return true;
  }

  /**
   * A worker closed its server, disconnected or died. Returns true when it
   * was the last one: the caller then forgets this key.
   */
  remove(worker: Worker): boolean {
    // exercise 07: begin remove
    if (!this.all.delete(worker.id)) return false;
    this.free.delete(worker.id);
    if (tracing) this.trace();
    if (this.all.size !== 0) return false;
    decide(`last worker left ${this.key}: ${this.handles.length} queued client(s) closed, listener closed`);

    // The last worker left: drop the queued clients and stop listening, so
    // new clients get ECONNREFUSED instead of waiting for nobody.
    for (const handle of this.handles.splice(0)) handle.close();
    // (Still binding? The 'listening' handler above sees nobody and closes.)
    this.handle?.close();
    this.handle = null;
    return true;
    // exercise 07: end
  }

  /** The listening handle accepted a connection: queue it, wake the oldest idle worker. */
  distribute(err: number, handle: RawHandle): void {
    // exercise 07: begin distribute
    if (err) return; // accept failed (EMFILE, ...): nothing to hand off; Node 20 ignores it too.
    if (this.all.size === 0) {
      // DIVERGENCE: a refusal that comes back after the last worker left
      // would sit in this abandoned queue forever (nodejs/node#21746). Close it.
      handle.close();
      return;
    }
    // exercise 07: end
    if (this.pendingCount() >= this.maxPending) {
      // DIVERGENCE (setupPrimary({ maxPending })): Node's queue grows without
      // bound. Past the bound the client is closed at once, as a single
      // server at maxConnections closes it. (Better would be to stop
      // accepting and let clients wait in the kernel backlog, but a libuv
      // listening handle cannot be paused from JavaScript.)
      this.closed.overflow++;
      decide(`queue full (${this.pendingCount()} of maxPending ${this.maxPending}): closed`);
      handle.close();
      return;
    }
    this.enqueue(handle);
  }

  /** Round robin: join the queue; the oldest idle worker (that has not refused this one) takes the oldest. */
  protected enqueue(handle: RawHandle): void {
    // exercise 07: begin enqueue
    this.handles.push(handle);
    const worker = this.firstFree(handle);
    if (worker !== undefined) {
      this.free.delete(worker.id);
      this.handoff(worker);
    } else if (tracing) {
      this.trace(); // queued: nobody is free
    }
    // exercise 07: end
  }

  /** Connections held for nobody yet (the bound of maxPending). */
  protected pendingCount(): number {
    return this.handles.length;
  }

  /** The oldest idle worker, skipping those that refused `handle` (usually none did: one lookup). */
  private firstFree(handle: RawHandle): Worker | undefined {
    const refused = this.refusedBy.get(handle);
    for (const worker of this.free.values()) if (refused === undefined || !refused.has(worker.id)) return worker;
    return undefined;
  }

  /** Give `worker` the oldest queued connection, or mark it idle if there is none. */
  handoff(worker: Worker): void {
    // exercise 07: begin handoff
    if (!this.all.has(worker.id)) return; // Worker is closing (or has closed) the server.

    const handle = this.next(worker);
    if (handle === undefined) {
      this.free.set(worker.id, worker); // Add to ready queue again.
      if (tracing) this.trace();
      return;
    }
    if (tracing) this.trace(); // before the send, so the line comes before the worker's

    // At most one newconn is in flight per worker per listener: the worker is
    // in neither `free` nor able to get another until it answers.
    this.newconn(worker, handle, () => this.handoff(worker));
    // exercise 07: end
  }

  /** The oldest queued connection `worker` has not refused, taken off the queue. */
  protected next(worker: Worker): RawHandle | undefined {
    const i = this.handles.findIndex((h) => !this.refusedBy.get(h)?.has(worker.id));
    return i < 0 ? undefined : this.handles.splice(i, 1)[0];
  }

  /**
   * DIVERGENCE: the primary is about to disconnect `worker`, the last one on
   * this listener. Node would close the clients still queued here (they get
   * ECONNRESET although the kernel had accepted them). We stop listening,
   * so new clients are refused, and hand every queued client to the leaving
   * worker: these newconns go out before the `disconnect` message on the
   * same channel, so they reach its server while it is still open, and its
   * disconnect then waits for them to be served.
   */
  drain(worker: Worker): void {
    if (this.all.size !== 1 || !this.all.has(worker.id)) return;
    this.handle?.close();
    this.handle = null;
    decide(`last worker w${worker.id} leaving ${this.key}: listener closed, ${this.handles.length} queued client(s) handed to it`);
    for (const handle of this.handles.splice(0)) this.newconn(worker, handle);
  }

  /** Send one client to one worker; `then` runs once it has answered. */
  protected newconn(worker: Worker, handle: RawHandle, then?: () => void): void {
    const message: NewconnMessage = { act: 'newconn', key: this.key };
    sendHelper(worker.process, message, handle, (reply: Envelope | null) => {
      if (tracing) decide(reply === null ? 'no answer will come: redistribute' : reply.accepted ? 'accepted: primary closes its copy' : 'refused: redistribute');
      // A race: the worker may have been removed while this newconn was in
      // flight (it closed its server, or the primary disconnected it). Its
      // answer still comes: `accepted` means it serves this client, so we
      // close our copy; a refusal goes to the others. The handoff(worker)
      // below then finds it gone from `all` and does not take it back.
      if (reply !== null && reply.accepted === true) {
        // The worker holds its own duplicate of the fd now; close ours. Not
        // earlier: closing before the send is written makes it fail (EINVAL).
        handle.close();
        this.accepted(worker, reply);
      } else if (reply !== null && this.refuse(worker, handle)) {
        // DIVERGENCE: every worker on this listener refused it (all at
        // maxConnections). Node would offer it round and round (over a
        // thousand handoffs in 300 ms were seen with one full worker);
        // we close it, as one server at maxConnections does.
        this.closed.refusedByAll++;
        decide('refused by every worker: closed');
        handle.close();
      } else {
        // Refused (maxConnections, or the server was closing), or no answer
        // will ever come (the worker died mid-handoff: DIVERGENCE, Node leaves
        // that client hanging). Offer it to the next idle worker.
        this.distribute(0, handle);
      }
      then?.();
    });
  }

  /** Record that `worker` refused `handle`; true once every worker on the listener has. */
  private refuse(worker: Worker, handle: RawHandle): boolean {
    let refused = this.refusedBy.get(handle);
    if (refused === undefined) this.refusedBy.set(handle, (refused = new Set()));
    refused.add(worker.id);
    for (const id of this.all.keys()) if (!refused.has(id)) return false;
    return true;
  }

  /** A worker took a connection: the scheduled handle counts it (round robin needs nothing). */
  protected accepted(_worker: Worker, _reply: Envelope): void {}

  /** The queues by worker name, for the trace and the step-through mode. */
  queues(): QueueState {
    const names = (ids: Iterable<number>): string[] => [...ids].map((id) => `w${id}`);
    // A worker listed but not idle has exactly one newconn in flight.
    const inflight = [...this.all.keys()].filter((id) => !this.free.has(id));
    return { key: this.key, free: names(this.free.keys()), handles: this.handles.length, inflight: names(inflight), all: names(this.all.keys()) };
  }

  /** One trace line with the queues (MINI_CLUSTER_TRACE; src/trace.ts). */
  trace(): void {
    traceState(this.queues());
  }

  describe(): string {
    return describeQueues(this.queues());
  }
}

function defaultServer(): BindingServer {
  // This server must never see a connection: we take its handle at 'listening'.
  const server = net.createServer(() => {
    throw new Error('RoundRobinHandle: the binding server must not accept connections');
  });
  return server as unknown as BindingServer;
}
