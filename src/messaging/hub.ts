/**
 * The primary's side: answer workers' requests, ask any worker and await
 * its answer, broadcast to every worker, and hold the shared state. It
 * listens to the cluster's public 'message', 'disconnect' and 'exit'
 * events only, so it takes node:cluster as well as mini-cluster.
 *
 * Mirrors: nothing — the pattern the course (docs/sources.md) builds by hand (IPCManager and StateManager, primary side)
 * Read next: src/messaging/link.ts (the worker's side), src/messaging/state.ts
 *
 *   cluster 'message' (worker, msg, handle) ─► request: run the handler, reply
 *                                           ─► reply:   match it (pending.ts)
 *   cluster 'disconnect' / 'exit' (worker)  ─► reject what it owes us, now; drop it from the members
 *   state.set / delete / increment          ─► {cmd:'mini-cluster:state', ...} to every member
 */
import type { SendHandle } from 'node:child_process';
import { Endpoint, type Channel, type Handler, type Peer, type RequestOptions } from './endpoint.ts';
import { RequestError } from './errors.ts';
import type { PendingCounts } from './pending.ts';
import {
  BROADCAST, JOINED, REPLY, REQUEST, STATE_DELETE, STATE_INCREMENT, STATE_JOIN, STATE_SET,
  checkUserType, describe, parse, type BroadcastMessage, type ChangeMessage,
} from './protocol.ts';
import { StateStore } from './state.ts';

/** The members of a cluster Worker the hub uses; node:cluster's Worker and ours both have them. */
export interface HubWorker extends Channel {
  readonly id: number;
  readonly process: { readonly pid?: number };
}

/** The part of a cluster object the hub uses. */
export interface HubCluster {
  readonly isPrimary: boolean;
  readonly workers?: NodeJS.Dict<HubWorker>;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

export interface HubOptions {
  /** Default timeout of request() (and of joined()), in ms. 5000, as the course's. */
  timeoutMs?: number;
}

/** What broadcast() resolves with: who got it written to their channel, and who did not and why. */
export interface BroadcastResult {
  type: string;
  delivered: number[];
  failed: { id: number; error: string }[];
}

export interface HubStats extends PendingCounts {
  malformed: number;
  unsentReplies: number;
  /** Workers that joined and get every state change. */
  members: number;
  stateVersion: number;
}

const hubs = new WeakSet<object>();

export class Hub {
  /** The shared state; writes here are seen by every member worker. */
  readonly state: StateStore;
  readonly #cluster: HubCluster;
  readonly #endpoint: Endpoint<HubWorker>;
  readonly #peers = new Map<number, Peer<HubWorker>>();
  /** Workers whose link asked to join: they get every change, from the join reply on. */
  readonly #members = new Map<number, HubWorker>();
  /** Workers that confirmed their snapshot is in place (JOINED). */
  readonly #joined = new Set<number>();
  readonly #joinWaiters = new Map<number, Set<{ resolve(): void; reject(error: Error): void }>>();
  readonly #listeners: [string, (...args: any[]) => void][];
  #closed = false;

  constructor(cluster: HubCluster, options: HubOptions = {}) {
    if (!cluster?.isPrimary) throw new Error('createHub() runs in the primary; a worker calls joinHub()');
    if (hubs.has(cluster)) throw new Error('this cluster has a hub already: two would both answer every request; share the one you have');
    hubs.add(cluster);
    this.#cluster = cluster;
    this.#endpoint = new Endpoint<HubWorker>('the primary', options.timeoutMs ?? 5_000);
    this.state = new StateStore((change) => this.#publish(change));

    const e = this.#endpoint;
    e.handleInternal(STATE_JOIN, (_data, { from }) => {
      // Synchronous on purpose: the reply leaves in this same turn, so no
      // change can be sent to this worker between its snapshot and the reply.
      this.#members.set(from.id, from);
      return this.state.wireSnapshot();
    });
    e.handleInternal(STATE_SET, (data: { key: string; value: unknown }) => this.state.set(data?.key, data?.value));
    e.handleInternal(STATE_DELETE, (data: { key: string }) => this.state.delete(data?.key));
    e.handleInternal(STATE_INCREMENT, (data: { key: string; by: number }) => this.state.increment(data?.key, data?.by));

    this.#listeners = [
      ['message', (worker: HubWorker, message: unknown, handle: unknown) => this.#onmessage(worker, message, handle)],
      ['disconnect', (worker: HubWorker) => this.#gone(worker, `failed: worker ${worker.id} disconnected before replying`)],
      ['exit', (worker: HubWorker, code: number | null, signal: string | null) =>
        this.#gone(worker, `failed: worker ${worker.id} exited (${signal ?? `code ${code}`}) before replying`)],
    ];
    for (const [event, listener] of this.#listeners) cluster.on(event, listener);
  }

  /** Answer workers' requests of `type`; returns the function that removes the handler. */
  handle(type: string, handler: Handler<HubWorker>): () => void {
    return this.#endpoint.handle(type, handler);
  }

  /** Ask `worker` and await its answer (RequestError on timeout, death, a handler's failure). */
  request<T = unknown>(worker: HubWorker, type: string, data?: unknown, options?: RequestOptions): Promise<T> {
    if (this.#closed) return Promise.reject(new RequestError('ERR_CLOSED', { id: 0, type: String(type), target: 'a worker' }, 'was not sent: the hub is closed'));
    if (typeof worker?.id !== 'number' || typeof worker.send !== 'function') {
      return Promise.reject(new RequestError('ERR_INVALID_REQUEST', { id: 0, type: String(type), target: describe(worker) }, 'was not sent: the target is not a cluster Worker'));
    }
    return this.#endpoint.request<T>(this.#peer(worker), type, data, options);
  }

  /**
   * Send `{type, data}` to every worker of the cluster. Each send is on its
   * own: a worker whose channel is closed (it is dying, or disconnecting) is
   * reported in `failed` and the others still get it. "Delivered" means
   * written to the worker's channel; it resolves within `timeoutMs` even if
   * a worker stops reading (it is then listed as failed).
   */
  broadcast(type: string, data?: unknown, options: { timeoutMs?: number } = {}): Promise<BroadcastResult> {
    const problem = checkUserType(type);
    if (problem !== null) return Promise.reject(new TypeError(`broadcast not sent: ${problem}`));
    const timeoutMs = options.timeoutMs ?? this.#endpoint.defaultTimeoutMs;
    const message: BroadcastMessage = { cmd: BROADCAST, type, data };
    const workers = Object.values(this.#cluster.workers ?? {}).filter((w): w is HubWorker => w !== undefined);
    return Promise.all(workers.map((worker) => deliver(worker, message, undefined, timeoutMs))).then((outcomes) => ({
      type,
      delivered: outcomes.filter((o) => o.error === undefined).map((o) => o.id),
      failed: outcomes.filter((o): o is { id: number; error: string } => o.error !== undefined),
    }));
  }

  /**
   * Resolves once `worker` has the current state in place (its link joined
   * and confirmed): what "ready" needs to mean for a worker that serves
   * from the shared state. Rejects if it exits first, or after timeoutMs.
   */
  joined(worker: HubWorker, options: { timeoutMs?: number } = {}): Promise<void> {
    if (typeof worker?.id !== 'number' || typeof worker.isConnected !== 'function') return Promise.reject(new TypeError(`joined() takes a cluster Worker, got ${describe(worker)}`));
    if (this.#joined.has(worker.id)) return Promise.resolve();
    const label = this.#peer(worker).label;
    if (!worker.isConnected()) return Promise.reject(new Error(`${label} is not connected: it can never join`));
    const timeoutMs = options.timeoutMs ?? this.#endpoint.defaultTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      let waiters = this.#joinWaiters.get(worker.id);
      if (waiters === undefined) this.#joinWaiters.set(worker.id, (waiters = new Set()));
      const waiter = {
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (error: Error) => (clearTimeout(timer), reject(error)),
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`${label} did not join within ${timeoutMs} ms (does it call joinHub(cluster)?)`));
      }, timeoutMs);
      waiters.add(waiter);
    });
  }

  /** Ids of the workers that get state changes. */
  members(): number[] {
    return [...this.#members.keys()];
  }

  stats(): HubStats {
    return { ...this.#endpoint.pending.counts(), ...this.#endpoint.counts(), members: this.#members.size, stateVersion: this.state.version };
  }

  /** Stop listening; reject every pending request. A new hub may then be created for this cluster. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [event, listener] of this.#listeners) this.#cluster.off(event, listener);
    this.#endpoint.pending.dropAll('failed: the hub was closed');
    for (const waiters of this.#joinWaiters.values()) for (const w of waiters) w.reject(new Error('the hub was closed'));
    this.#joinWaiters.clear();
    this.#members.clear();
    hubs.delete(this.#cluster);
  }

  // ---- inside ----

  #peer(worker: HubWorker): Peer<HubWorker> {
    let peer = this.#peers.get(worker.id);
    if (peer === undefined || peer.from !== worker) {
      peer = { key: worker.id, label: `worker ${worker.id}`, channel: worker, from: worker };
      this.#peers.set(worker.id, peer);
    }
    return peer;
  }

  #onmessage(worker: HubWorker, message: unknown, handle: unknown): void {
    const parsed = parse(message);
    if (parsed.kind === 'foreign') return; // the user's own message (or the supervisor's): not ours to read
    const peer = this.#peer(worker);
    if (parsed.kind === 'malformed') return this.#endpoint.onMalformed(peer, parsed.problem, handle);
    const m = parsed.message;
    switch (m.cmd) {
      case REQUEST: return this.#endpoint.onRequest(peer, m, handle);
      case REPLY: return this.#endpoint.onReply(peer, m);
      case JOINED: return this.#onjoined(worker);
      default: // broadcasts and changes only ever go primary → worker
        return this.#endpoint.onMalformed(peer, `${m.cmd} travels primary → worker, not back`, handle);
    }
  }

  #onjoined(worker: HubWorker): void {
    if (!this.#members.has(worker.id)) return; // never asked to join: nothing to confirm
    this.#joined.add(worker.id);
    for (const waiter of this.#joinWaiters.get(worker.id) ?? []) waiter.resolve();
    this.#joinWaiters.delete(worker.id);
  }

  /** The worker disconnected or exited: whichever comes first settles everything it owed. */
  #gone(worker: HubWorker, what: string): void {
    this.#endpoint.pending.dropPeer(worker.id, what);
    this.#members.delete(worker.id);
    this.#joined.delete(worker.id);
    for (const waiter of this.#joinWaiters.get(worker.id) ?? []) waiter.reject(new Error(`worker ${worker.id} left before it joined`));
    this.#joinWaiters.delete(worker.id);
    this.#peers.delete(worker.id);
  }

  /** One state change to every member. A member that cannot take it is leaving; its 'disconnect' cleans up. */
  #publish(change: ChangeMessage): void {
    for (const worker of this.#members.values()) {
      if (!worker.isConnected()) continue;
      try {
        worker.send(change, undefined, {}, () => {});
      } catch {
        // Cannot happen for a value the store accepted (it is JSON already).
      }
    }
  }
}

/** Send one message to one worker; resolves with the outcome, never rejects. */
function deliver(worker: HubWorker, message: object, handle: SendHandle, timeoutMs: number): Promise<{ id: number; error?: string }> {
  const { id } = worker;
  if (!worker.isConnected()) return Promise.resolve({ id, error: 'its IPC channel is closed' });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ id, error: `not confirmed within ${timeoutMs} ms (is it reading its channel?)` }), timeoutMs);
    (timer as { unref?: () => void }).unref?.();
    const done = (error?: string): void => {
      clearTimeout(timer);
      resolve(error === undefined ? { id } : { id, error });
    };
    try {
      // With a callback, a failed send is reported to us, not emitted as 'error' on the worker.
      worker.send(message, handle, {}, (error) => done(error ? error.message : undefined));
    } catch (error) {
      done((error as Error).message);
    }
  });
}
