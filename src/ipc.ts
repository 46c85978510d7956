/**
 * The internal message layer: every message the primary and its workers
 * exchange, and the request/reply matching on top of the IPC channel.
 *
 * Mirrors: lib/internal/cluster/utils.js (Node v20), plus the act table of
 *          primary.js and child.js gathered in one place.
 * Read next: src/master/onmessage.ts (who answers these messages)
 *
 *   sender                                  receiver
 *     |-- {cmd, act:'queryServer', seq:7} -->|  handler runs
 *     |<-- {cmd, ack:7, errno, key} ---------|  the callback stored under 7 runs
 */
import { holdSend, tracing, traceDispatch, traceNote } from './trace.ts';

/**
 * Every internal message carries this tag. Node's child_process diverts any
 * message whose `cmd` starts with `NODE_` to the undocumented
 * 'internalMessage' event, so a user's 'message' listener never sees it.
 * Node's own cluster uses 'NODE_CLUSTER'; we use a tag of our own so the two
 * can never answer each other's traffic.
 */
export const CMD = 'NODE_MINI_CLUSTER';

/** What `getsockname()` fills in: the primary's listening address. */
export interface Sockname { address: string; family: string; port: number }

/** The fields `net` hands to `listenInCluster`, as the worker forwards them. */
export interface ServerQuery {
  address: string | null;
  port: number | null; // null for listen({ fd })
  addressType: number | null; // 4, 6, -1 for a pipe; null for listen({ fd })
  fd?: number;
  flags?: number;
  backlog?: number | false; // net passes `false` when no backlog was given
  readableAll?: boolean;
  writableAll?: boolean;
}

/** Worker → primary, once the bootstrap ran, before user code. No reply. */
export interface OnlineMessage { act: 'online' }
/**
 * Worker → primary when a non-exclusive `server.listen()` runs in a worker.
 * `index` counts listens on the same tuple inside this worker (see child.ts).
 * Reply: QueryServerReply; with SCHED_NONE the bound handle rides along.
 */
export interface QueryServerMessage extends ServerQuery { act: 'queryServer'; index: number; data: unknown }
/** Worker → primary after the worker's server emitted 'listening'. No reply. */
export interface ListeningMessage extends ServerQuery { act: 'listening'; index: number; data: unknown }
/** Worker → primary when the worker closes its copy of a cluster handle. No reply. */
export interface CloseMessage { act: 'close'; key: string }
/**
 * Worker → primary, ours (a scheduler counts connections): the worker's open
 * connections on that listener, sent when some closed (coalesced). No reply.
 */
export interface ConnectionsMessage { act: 'connections'; key: string; open: number }
/** Worker → primary before a worker-initiated disconnect or kill. Reply: `{ ack }`. */
export interface ExitedAfterDisconnectMessage { act: 'exitedAfterDisconnect' }
/** Primary → worker with an accepted client handle attached. Reply: NewconnReply. */
export interface NewconnMessage { act: 'newconn'; key: string }
/** Primary → worker: close your servers, then close the channel. No reply. */
export interface DisconnectMessage { act: 'disconnect' }

/** Primary → worker, answering queryServer. `errno` is a negative libuv code on failure. */
export interface QueryServerReply {
  errno: number | null; key: string; data: unknown; sockname?: Sockname;
  /** Ours: the listener has a scheduler that counts connections; report them (ConnectionsMessage). */
  track?: boolean;
  /** Ours, SCHED_REUSEPORT: bind and listen yourself on this port, with SO_REUSEPORT. */
  reusePort?: { port: number };
}
/** Worker → primary, answering newconn: did the worker take the connection? (`open`: ours, when tracked.) */
export interface NewconnReply { accepted: boolean; open?: number }

export type WorkerToPrimary =
  | OnlineMessage | QueryServerMessage | ListeningMessage | CloseMessage | ExitedAfterDisconnectMessage | ConnectionsMessage;
export type PrimaryToWorker = NewconnMessage | DisconnectMessage;
/** The `act` strings, Node's exactly: five from workers, two from the primary. */
export type Act = (WorkerToPrimary | PrimaryToWorker)['act'];
/** A reply names the `seq` it answers in `ack`; exitedAfterDisconnect's reply is just that. */
export type ReplyMessage = { ack: number } & (QueryServerReply | NewconnReply | Record<never, never>);
/** Everything sendHelper() may send: the compiler checks every act literal against this file. */
export type OutgoingMessage = WorkerToPrimary | PrimaryToWorker | ReplyMessage;

/** What actually travels: the tag, this process's `seq`, and `ack` on replies. */
export type Envelope = { cmd: typeof CMD; seq: number; ack?: number; act?: string } & Record<string, unknown>;

/** A message as the receiver gets it: what was sent, plus the sender's `seq`. */
export type Received<M> = M & { cmd: typeof CMD; seq: number };

/** A raw libuv handle (TCP or Pipe wrap) as child_process passes it: `net.Native`. */
export interface RawHandle { close(cb?: () => void): void; [key: string]: unknown }

/** Either end of an IPC channel: a ChildProcess in the primary, `process` in a worker. */
export interface Channel {
  connected: boolean;
  // `any`: ChildProcess and process type send() differently.
  send?(message: any, ...rest: any[]): boolean;
}

/** A reply callback; `reply` is null when no reply can ever come (see below). */
export type ReplyCallback = (reply: Envelope | null, handle?: RawHandle) => void;

// `seq` counts every message this process sends, to any destination, as
// Node's utils.js does. Replies are matched by the requester's own seq, so a
// single map serves all workers.
let seq = 0;
const callbacks = new Map<number, { target: Channel; cb: ReplyCallback }>();

function onSendError(): void {
  // DIVERGENCE: Node passes no callback, so a failed write becomes an 'error'
  // event on the ChildProcess and, unhandled, takes the primary down. A write
  // fails only when the peer is going away; its 'disconnect' cleans up.
}

/** Send an internal message; if `cb` is given, it runs with the peer's reply. */
export function sendHelper(proc: Channel, message: OutgoingMessage, handle?: RawHandle | null, cb?: ReplyCallback): boolean {
  if (!proc.connected || proc.send === undefined) {
    // NODE: utils.js returns false here and never calls `cb`, so whatever the
    // callback holds (a client socket, in round robin) leaks. DIVERGENCE: we
    // answer "no reply" so the requester can recover what it sent.
    if (tracing) traceNote(`not sent (channel closed): ${JSON.stringify(message)}`);
    if (cb !== undefined) process.nextTick(cb, null);
    return false;
  }
  const envelope = { cmd: CMD, ...message, seq };
  if (cb !== undefined) callbacks.set(seq, { target: proc, cb });
  seq += 1;
  if (tracing && holdSend(() => proc.send!(envelope, handle ?? undefined, {}, onSendError))) return true;
  return proc.send(envelope, handle ?? undefined, {}, onSendError);
}

/**
 * Build the 'internalMessage' listener for one peer. Replies go to their
 * stored callback, everything else to `handler` (with `this` = worker).
 */
export function internal<W extends { id: number; process: Channel }>(
  worker: W,
  handler: (this: W, message: Envelope, handle?: RawHandle) => void,
  gate?: (message: Envelope, run: () => void) => void,
): (message: unknown, handle?: RawHandle) => void {
  function dispatch(message: Envelope, handle?: RawHandle): void {
    if (tracing) traceDispatch(worker.id, message, handle, () => route(message, handle));
    else route(message, handle);
  }
  function route(message: Envelope, handle?: RawHandle): void {
    const pending = message.ack === undefined ? undefined : callbacks.get(message.ack);
    // DIVERGENCE: the reply must come from the peer we asked; Node would
    // let one worker answer a request that was sent to another.
    if (pending !== undefined && pending.target === worker.process) {
      callbacks.delete(message.ack!);
      pending.cb(message, handle);
    } else {
      handler.call(worker, message, handle);
    }
  }
  return function onInternalMessage(message: unknown, handle?: RawHandle): void {
    if (!isEnvelope(message)) return; // someone else's NODE_ traffic
    // The step-through mode (src/step.ts) may hold the message until Enter.
    if (gate === undefined) dispatch(message, handle);
    else gate(message, () => dispatch(message, handle));
  };
}

/**
 * The peer's channel closed: no reply will ever come for what we asked it.
 * DIVERGENCE: Node forgets nothing here, so a round-robin handoff in flight
 * to a dead worker keeps its client hanging. We answer each such request with
 * `null`, and RoundRobinHandle redistributes the connection.
 */
export function dropPendingRequests(target: Channel): void {
  // Collect first: a callback may send again (and so add to the map).
  const dropped = [...callbacks].filter(([, pending]) => pending.target === target);
  for (const [key, pending] of dropped) {
    callbacks.delete(key);
    if (tracing) traceNote(`peer gone: request seq=${key} will never be answered; answering null`);
    pending.cb(null);
  }
}

function isEnvelope(message: unknown): message is Envelope {
  return typeof message === 'object' && message !== null && (message as { cmd?: unknown }).cmd === CMD;
}
