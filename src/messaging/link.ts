/**
 * A worker's side: ask the primary and await its answer, answer the
 * primary's requests, hear its broadcasts, and keep a copy of the shared
 * state. It joins the hub as soon as it is created: `ready` resolves once
 * the state's snapshot is in place, which is when the worker should start
 * serving (call listen() after it).
 *
 * Mirrors: nothing — the pattern the course (docs/sources.md) builds by hand (IPCManager and StateManager, worker side)
 * Read next: src/messaging/state.ts (StateReplica), src/messaging/hub.ts (the other end)
 *
 *   new Link ─► request 'mini-cluster:state.join' ─► reply: snapshot ─► install ─► {cmd:'mini-cluster:joined'} ─► ready
 *   cluster.worker 'message' ─► request: run the handler, reply | reply: match it
 *                            ─► broadcast: listeners | state change: apply to the copy
 *   cluster.worker 'disconnect' ─► every request still waiting rejects now
 */
import { Endpoint, type Channel, type Handler, type Peer, type RequestOptions } from './endpoint.ts';
import { RequestError } from './errors.ts';
import type { PendingCounts } from './pending.ts';
import { BROADCAST, CHANGE, JOINED, REPLY, REQUEST, STATE_JOIN, checkUserType, describe, parse, type BroadcastMessage, type Snapshot } from './protocol.ts';
import { StateReplica } from './state.ts';

/** The worker's own Worker object (`cluster.worker`): its send() is process.send(). */
export interface LinkWorker extends Channel {
  readonly id: number;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

/** The part of a cluster object a worker's link uses. */
export interface LinkCluster {
  readonly isWorker: boolean;
  readonly worker?: LinkWorker;
}

export interface LinkOptions {
  /** Default timeout of request(), in ms. 5000. */
  timeoutMs?: number;
  /** How long to wait for the primary's hub to answer the join. 5000. */
  joinTimeoutMs?: number;
}

export type BroadcastListener = (data: any, type: string) => void;

export interface LinkStats extends PendingCounts {
  malformed: number;
  unsentReplies: number;
  stateVersion: number;
}

const links = new WeakSet<object>();

export class Link {
  /** The shared state: reads are local and synchronous, writes go to the primary. */
  readonly state: StateReplica;
  /** Resolves when the state's snapshot is in place; rejects if the primary has no hub (or never answers). */
  readonly ready: Promise<void>;
  readonly #cluster: LinkCluster;
  readonly #worker: LinkWorker;
  readonly #endpoint: Endpoint<'primary'>;
  readonly #primary: Peer<'primary'>;
  readonly #broadcasts = new Map<string, Set<BroadcastListener>>();
  readonly #onmessage = (message: unknown, handle: unknown): void => this.#receive(message, handle);
  readonly #ondisconnect = (): void => void this.#endpoint.pending.dropPeer(0, 'failed: the channel to the primary closed before a reply');
  #closed = false;

  constructor(cluster: LinkCluster, options: LinkOptions = {}) {
    const worker = cluster?.worker;
    if (!cluster?.isWorker || worker === undefined) throw new Error('joinHub() runs in a worker; the primary calls createHub()');
    if (links.has(cluster)) throw new Error('this worker has joined already; share the link you have');
    links.add(cluster);
    this.#cluster = cluster;
    this.#worker = worker;
    this.#endpoint = new Endpoint<'primary'>(`worker ${worker.id}`, options.timeoutMs ?? 5_000);
    this.#primary = { key: 0, label: 'the primary', channel: worker, from: 'primary' };
    this.state = new StateReplica((type, data) => this.#endpoint.request(this.#primary, type, data, {}, {}));

    worker.on('message', this.#onmessage);
    worker.on('disconnect', this.#ondisconnect);

    const joinTimeoutMs = options.joinTimeoutMs ?? 5_000;
    this.ready = this.#endpoint.request(this.#primary, STATE_JOIN, null, { timeoutMs: joinTimeoutMs }, {
      // Runs as the reply is read, before any later message: the snapshot is
      // in place before the next change is applied (state.ts keeps order).
      onData: (snapshot) => {
        this.state.install(snapshot as Snapshot);
        this.#send({ cmd: JOINED, version: this.state.version });
      },
    }).then(() => undefined, (error: RequestError) => {
      const hint = error.code === 'ERR_REQUEST_TIMEOUT' ? ' (does the primary call createHub(cluster)?)' : '';
      throw new Error(`worker ${worker.id} could not join the primary's hub: ${error.message}${hint}`, { cause: error });
    });
    // A worker that never awaits `ready` must not die of an unhandled rejection; one that awaits still gets it.
    this.ready.catch(() => {});
  }

  /** Answer the primary's requests of `type`; returns the function that removes the handler. */
  handle(type: string, handler: Handler<'primary'>): () => void {
    return this.#endpoint.handle(type, handler);
  }

  /** Ask the primary (the only target a worker has) and await its answer. */
  request<T = unknown>(target: 'primary', type: string, data?: unknown, options?: RequestOptions): Promise<T> {
    const info = { id: 0, type: String(type), target: describe(target) };
    if (target !== 'primary') return Promise.reject(new RequestError('ERR_INVALID_REQUEST', info, "was not sent: a worker can only ask 'primary' (worker to worker goes through the primary)"));
    if (this.#closed) return Promise.reject(new RequestError('ERR_CLOSED', info, 'was not sent: the link is closed'));
    return this.#endpoint.request<T>(this.#primary, type, data, options);
  }

  /** Call `listener` for every broadcast of `type` ('*': of every type); returns the function that removes it. */
  onBroadcast(type: string, listener: BroadcastListener): () => void {
    const problem = type === '*' ? null : checkUserType(type);
    if (problem !== null) throw new TypeError(problem);
    if (typeof listener !== 'function') throw new TypeError(`a broadcast listener must be a function, got ${describe(listener)}`);
    let set = this.#broadcasts.get(type);
    if (set === undefined) this.#broadcasts.set(type, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  }

  stats(): LinkStats {
    return { ...this.#endpoint.pending.counts(), ...this.#endpoint.counts(), stateVersion: this.state.version };
  }

  /** Stop listening; reject every pending request. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker.off('message', this.#onmessage);
    this.#worker.off('disconnect', this.#ondisconnect);
    this.#endpoint.pending.dropAll('failed: the link was closed');
    links.delete(this.#cluster);
  }

  // ---- inside ----

  #receive(message: unknown, handle: unknown): void {
    const parsed = parse(message);
    if (parsed.kind === 'foreign') return; // the user's own message: not ours to read
    if (parsed.kind === 'malformed') return this.#endpoint.onMalformed(this.#primary, parsed.problem, handle);
    const m = parsed.message;
    switch (m.cmd) {
      case REQUEST: return this.#endpoint.onRequest(this.#primary, m, handle);
      case REPLY: return this.#endpoint.onReply(this.#primary, m);
      case BROADCAST: return this.#deliver(m);
      case CHANGE: return this.state.apply(m);
      default: // JOINED goes worker → primary only
        return this.#endpoint.onMalformed(this.#primary, `${m.cmd} travels worker → primary, not back`, handle);
    }
  }

  /** Every listener of this type, then the '*' ones; one that throws is reported and the rest still run. */
  #deliver(message: BroadcastMessage): void {
    for (const key of [message.type, '*']) {
      for (const listener of [...(this.#broadcasts.get(key) ?? [])]) {
        try {
          listener(message.data, message.type);
        } catch (error) {
          process.emitWarning(`a broadcast listener for "${message.type}" threw: ${(error as Error)?.message ?? describe(error)}`, 'MiniClusterWarning');
        }
      }
    }
  }

  #send(message: object): void {
    if (!this.#worker.isConnected()) return;
    try {
      this.#worker.send(message, undefined, {}, () => {});
    } catch {
      // Our own small messages always serialise.
    }
  }
}
