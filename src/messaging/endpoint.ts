/**
 * One side of the conversation, the same in the primary and in a worker:
 * send a request and await its reply, run the handler for a request that
 * came in and send its answer back, and count what could not be used.
 * hub.ts (primary) and link.ts (worker) each own one Endpoint.
 *
 * Mirrors: nothing — the pattern the course (docs/sources.md) builds by hand (its request() and respond())
 * Read next: src/messaging/hub.ts (the primary's side), src/messaging/link.ts (a worker's)
 *
 *   request(peer, "price", {sku}) => pending.open => channel.send({cmd:'mini-cluster:request', id, type, data}, handle)
 *   onRequest(peer, {id, type, data}) => handlers.get(type)(data, ctx) => channel.send({cmd:'mini-cluster:reply', id, ok, ...})
 *   onReply(peer, {id, ...}) => pending.settle: matched, late or unknown
 */
import type { MessageOptions, SendHandle } from 'node:child_process';
import { RequestError } from './errors.ts';
import { PendingRequests, type PeerRef } from './pending.ts';
import { PREFIX, REPLY, REQUEST, checkUserType, describe, toWire, type ReplyMessage, type RequestMessage } from './protocol.ts';

/**
 * What we need from an IPC channel: `Worker.send` has exactly this form in
 * both clusters (primary side: the child's channel; worker side:
 * `cluster.worker.send`, which is `process.send`).
 */
export interface Channel {
  send(message: object, handle: SendHandle, options: MessageOptions, callback: (error: Error | null) => void): boolean;
  isConnected(): boolean;
}

/** The other side as this side sees it; `from` is what a handler is told about it (a Worker, or 'primary'). */
export interface Peer<From> extends PeerRef { readonly channel: Channel; readonly from: From }

export interface RequestContext<From> {
  /** Who asked: the Worker in the primary, 'primary' in a worker. */
  from: From;
  /** The handle (socket, server) sent with the request, if any. */
  handle: unknown;
  id: number;
  type: string;
}
/** Returns the answer, or a promise of it; a throw or rejection becomes ERR_HANDLER_FAILED at the asker. */
export type Handler<From> = (data: any, context: RequestContext<From>) => unknown;

export interface RequestOptions {
  /** How long to wait for the reply. Default: the hub's or link's `timeoutMs` (5000). */
  timeoutMs?: number;
  /** A socket or server to send along, as `send(message, handle)` would. */
  handle?: SendHandle;
  /** Keep our copy of a sent socket open (child_process's `keepOpen`). */
  keepOpen?: boolean;
}

export interface EndpointCounts {
  /** Messages with one of our cmds but a bad shape: ignored. */
  malformed: number;
  /** Replies we could not deliver: the asker had gone. */
  unsentReplies: number;
}

/** The largest delay setTimeout accepts (about 24.8 days); beyond it Node fires at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** send() errors that mean the other side is gone, rather than that the message was bad. */
const GONE = new Set(['ERR_IPC_CHANNEL_CLOSED', 'EPIPE', 'ECONNRESET', 'ERR_IPC_DISCONNECTED']);

export class Endpoint<From> {
  readonly pending = new PendingRequests();
  readonly #handlers = new Map<string, Handler<From>>();
  readonly #internal = new Map<string, Handler<From>>();
  readonly #counts: EndpointCounts = { malformed: 0, unsentReplies: 0 };

  /** `self` names this side in the errors a peer receives, e.g. "the primary has no handler for ...". */
  constructor(readonly self: string, readonly defaultTimeoutMs: number) {}

  /** Answer requests of `type`; returns the function that removes the handler. One handler per type. */
  handle(type: string, handler: Handler<From>): () => void {
    const problem = checkUserType(type);
    if (problem !== null) throw new TypeError(problem);
    if (typeof handler !== 'function') throw new TypeError(`the handler for "${type}" must be a function, got ${describe(handler)}`);
    return this.#add(this.#handlers, type, handler);
  }

  /** The same, for the layer's own reserved types (shared state). */
  handleInternal(type: string, handler: Handler<From>): () => void {
    return this.#add(this.#internal, type, handler);
  }

  /**
   * Ask `peer` and await the answer. Never throws: bad arguments, a peer
   * that is gone, data that cannot be sent, all reject with a RequestError.
   * `internal` is the layer's own use (a reserved type; `onData` runs
   * synchronously when the reply arrives, before any later message).
   */
  request<T>(peer: Peer<unknown>, type: string, data: unknown, options: RequestOptions = {}, internal?: { onData?: (data: unknown) => T }): Promise<T> {
    const info = { id: 0, type: String(type), target: peer.label };
    const problem = internal ? null : checkUserType(type);
    if (problem !== null) return Promise.reject(new RequestError('ERR_INVALID_REQUEST', info, `was not sent: ${problem}`));
    const { timeoutMs = this.defaultTimeoutMs, handle, keepOpen = false } = options ?? {};
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || timeoutMs > MAX_TIMEOUT_MS) {
      return Promise.reject(new RequestError('ERR_INVALID_REQUEST', info, `was not sent: timeoutMs must be a number of ms from 1 to ${MAX_TIMEOUT_MS}, got ${describe(timeoutMs)}`));
    }
    if (!peer.channel.isConnected()) return Promise.reject(new RequestError('ERR_PEER_GONE', info, `failed: ${peer.label} is not connected`));

    const { id, promise } = this.pending.open<T>(peer, type, timeoutMs, internal?.onData);
    const message: RequestMessage = { cmd: REQUEST, id, type, data };
    try {
      // The callback form: a send on a channel that closes meanwhile calls
      // back with the error instead of emitting 'error' on the worker, which
      // nobody may be listening for (and an unheard 'error' is a crash).
      peer.channel.send(message, handle, keepOpen ? { keepOpen: true } : {}, (error) => {
        if (error === null || error === undefined) return;
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (GONE.has(code)) this.pending.fail(id, 'ERR_PEER_GONE', `failed: ${peer.label} went away before the request was sent (${code})`);
        else this.pending.fail(id, 'ERR_SEND_FAILED', `could not be sent: ${error.message}`);
      });
    } catch (error) {
      // Synchronous refusals: JSON cannot encode a BigInt or a cycle, IPC cannot carry that kind of handle.
      this.pending.fail(id, 'ERR_SEND_FAILED', `could not be sent: ${(error as Error).message}`);
    }
    return promise;
  }

  /** A request arrived from `peer`: run its handler and send the answer. Never throws. */
  onRequest(peer: Peer<From>, request: RequestMessage, handle: unknown): void {
    const { id, type } = request;
    const handler = (type.startsWith(PREFIX) ? this.#internal : this.#handlers).get(type);
    if (handler === undefined) {
      discard(handle); // nobody will take it: close it rather than leak a descriptor
      return this.#reply(peer, { cmd: REPLY, id, ok: false, error: { name: 'Error', code: 'ERR_NO_HANDLER', message: `${this.self} has no handler for "${type}"` } });
    }
    const ok = (data: unknown): void => this.#reply(peer, { cmd: REPLY, id, ok: true, data });
    const failed = (error: unknown): void => this.#reply(peer, { cmd: REPLY, id, ok: false, error: toWire(error) });
    let result: unknown;
    try {
      result = handler(request.data, { from: peer.from, handle, id, type });
    } catch (error) {
      return failed(error);
    }
    // A handler that answers at once is answered at once, in this same turn
    // of the event loop: nothing can be sent to `peer` between the handler
    // and its reply. The shared state depends on it (a joining worker's
    // snapshot must reach it before the first change made after it).
    if (isThenable(result)) result.then(ok, failed);
    else ok(result);
  }

  /** A reply arrived from `peer`. */
  onReply(peer: PeerRef, reply: ReplyMessage): void {
    this.pending.settle(peer, reply);
  }

  /** A message with one of our cmds but a bad shape: count it, warn (not every time), ignore it. */
  onMalformed(peer: PeerRef, problem: string, handle: unknown): void {
    discard(handle);
    const count = ++this.#counts.malformed;
    // The first 10, then at 100, 1000, ...: a flood of garbage must not become a flood of warnings.
    if (count <= 10 || Number.isInteger(Math.log10(count))) {
      process.emitWarning(`${peer.label} sent a malformed mini-cluster message (${problem}); ignored [${count} so far]`, 'MiniClusterWarning');
    }
  }

  counts(): EndpointCounts {
    return { ...this.#counts };
  }

  #add(table: Map<string, Handler<From>>, type: string, handler: Handler<From>): () => void {
    if (table.has(type)) throw new Error(`there is already a handler for "${type}": one handler per type, so one answer per request`);
    table.set(type, handler);
    return () => void (table.get(type) === handler && table.delete(type));
  }

  #reply(peer: Peer<From>, reply: ReplyMessage, retry = true): void {
    if (!peer.channel.isConnected()) return void this.#counts.unsentReplies++;
    try {
      peer.channel.send(reply, undefined, {}, (error) => void (error && this.#counts.unsentReplies++));
    } catch (error) {
      // The handler's answer cannot be serialised (a BigInt, a cycle). Say so
      // to the asker, who would otherwise wait for its timeout and never know why.
      if (!retry) return void this.#counts.unsentReplies++;
      const message = `the handler's answer could not be sent: ${(error as Error).message}`;
      this.#reply(peer, { cmd: REPLY, id: reply.id, ok: false, error: { name: 'TypeError', message } }, false);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** Close a received handle nobody will use (a socket: destroy; a server: close). */
export function discard(handle: unknown): void {
  if (handle === undefined || handle === null) return;
  const h = handle as { destroy?: () => void; close?: () => void };
  try {
    if (typeof h.destroy === 'function') h.destroy();
    else if (typeof h.close === 'function') h.close();
  } catch {
    // already closed
  }
}
