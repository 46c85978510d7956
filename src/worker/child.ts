/**
 * The cluster object as a worker sees it: joining the cluster, asking the
 * primary for listeners (`_getServer`), taking handed-off connections, and
 * leaving (disconnect / destroy).
 *
 * Mirrors: lib/internal/cluster/child.js (Node v20), in the same order
 * Read next: src/worker/faux-handle.ts, src/net-shim/listen-in-cluster.ts
 *
 *   primary                                              worker (this file)
 *     |-- {act:'newconn', key, seq:9} + client handle -->| onconnection:
 *     |                                                  |   server = handles.get(key)
 *     |<-- {ack:9, accepted:true} -----------------------|   reply first, then
 *     |                                                  |   faux.onconnection(0, h) => 'connection'
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import net, { type Server } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { sendHelper, internal, type Envelope, type OutgoingMessage, type QueryServerMessage, type QueryServerReply, type RawHandle, type Received, type ReplyCallback, type ServerQuery, type Sockname } from '../ipc.ts';
import { Worker, WORKER_ID_ENV, DRAIN_GRACE_ENV, type WorkerSide } from '../worker.ts';
import { FauxHandle } from './faux-handle.ts';
import { DEFAULT_DRAIN_GRACE_MS, drainConnections, isHttpServer, trackConnections } from './drain.ts';
import { installNetShim } from '../net-shim/listen-in-cluster.ts';
import { stripWorkerExecArgv } from '../master/fork.ts';
import { UV_TCP_REUSEPORT } from '../master/reuseport-handle.ts';
import { decide, traceAs } from '../trace.ts';

/** A listener handle in this worker: the faux handle (RR) or the shared raw handle (NONE). */
export type ClusterHandle = FauxHandle | RawHandle;
/** `bindHere`: ours, SCHED_REUSEPORT: no handle comes, the server binds and listens itself (net shim). */
export interface BindHere { port: number; flags: number; onbound(handle: RawHandle): void; onfailed(): void }
export type GetServerCallback = (errno: number, handle: ClusterHandle | null, bindHere?: BindHere) => void;

export interface WorkerCluster extends EventEmitter {
  isWorker: true; isMaster: false; isPrimary: false;
  Worker: typeof Worker;
  worker: Worker | null;
  _setupWorker(): void;
  _getServer(obj: Server, options: ServerQuery, cb: GetServerCallback): void;
}

export const cluster = new EventEmitter() as WorkerCluster;
/** This worker's cluster listeners, by the primary's key. */
const handles = new Map<string, ClusterHandle>();
/**
 * Index counting. Per tuple "address:port:addressType:fd", the listen
 * indexes in use in this worker. The N-th listen on a tuple gets index N-1,
 * and the primary's key ends with that index: so the N-th listen of every
 * worker lands on the same key, and they all share one socket. Two listens
 * on port 0 in one worker get two indexes, hence two keys, two ports.
 */
const indexes = new Map<string, { nextIndex: number; set: Set<number> }>();
/**
 * The net.Server that holds each handle. NODE: lib/net.js sets
 * `handle[owner_symbol] = server`; that symbol is internal to Node, so we
 * keep the same link ourselves.
 */
const owners = new WeakMap<ClusterHandle, Server>();

cluster.isWorker = true;
cluster.isMaster = false; // the pre-v16 name, kept as an alias
cluster.isPrimary = false;
cluster.worker = null;
cluster.Worker = Worker;

const UV_EADDRINUSE = -os.constants.errno.EADDRINUSE;

/**
 * Join the cluster: the bootstrap preload calls this before the user's
 * script runs. NODE: called from pre_execution.js, which is synchronous
 * too, so the IPC listeners below are in place before anything can be
 * read from the channel.
 */
cluster._setupWorker = function _setupWorker(): void {
  // Inside a worker, worker.process is the global process (typed as a ChildProcess, see worker.ts).
  const worker = new Worker({ id: Number(process.env[WORKER_ID_ENV]) | 0, process: process as unknown as ChildProcess, state: 'online' });
  cluster.worker = worker;
  traceAs(`w${worker.id}`);

  process.once('disconnect', () => {
    worker.emit('disconnect');
    // Unexpected disconnect: the primary died or closed us off. Leave now.
    if (!worker.exitedAfterDisconnect) process.exit(0);
  });

  process.on('internalMessage', internal(worker, onmessage));
  installNetShim(cluster._getServer); // from now on, listen() asks the primary
  send({ act: 'online' });
  // NODE: Node deletes NODE_UNIQUE_ID here too: processes this worker forks are primaries.
  delete process.env[WORKER_ID_ENV];
  // What the primary added to our execArgv (the preload) is taken out again,
  // so `process.execArgv` reads as under node:cluster and grandchildren,
  // which inherit it, start as plain processes. NODE: nothing to take out.
  stripWorkerExecArgv(process.execArgv);

  function onmessage(message: Envelope, handle?: RawHandle): void {
    if (message.act === 'newconn') onconnection(message as Received<{ key: string }>, handle as RawHandle);
    else if (message.act === 'disconnect') {
      decide(`close ${handles.size} server(s), then the channel`);
      _disconnect(worker, true);
    }
  }
};

/**
 * `server.listen()` in a worker ends up here (the net shim calls it): ask
 * the primary for the listener, then hand net the handle it answered with.
 * `obj` is the worker's net.Server.
 */
cluster._getServer = function _getServer(obj, options, cb): void {
  let address = options.address;
  // Unix socket paths are resolved against the worker's cwd.
  if (options.port !== null && options.port < 0 && typeof address === 'string' && process.platform !== 'win32') address = path.resolve(address);

  // The tuple without the index; see `indexes` above.
  // exercise 06: begin count
  const indexesKey = [address, options.port, options.addressType, options.fd].join(':');
  let indexSet = indexes.get(indexesKey);
  if (indexSet === undefined) {
    indexSet = { nextIndex: 0, set: new Set() };
    indexes.set(indexesKey, indexSet);
  }
  const index = indexSet.nextIndex++;
  indexSet.set.add(index);
  // exercise 06: end

  // DIVERGENCE: an HTTP server's connections are counted from the start, so
  // that leaving can drain them (_disconnect, drain.ts).
  if (isHttpServer(obj)) trackConnections(obj);

  const message: QueryServerMessage = { act: 'queryServer', index, data: null, ...options, address };
  // Custom data for the primary to share (a TLS server's session-ticket keys).
  const tls = obj as Server & { _getServerData?: () => unknown; _setServerData?: (data: unknown) => void };
  if (typeof tls._getServerData === 'function') message.data = tls._getServerData();

  send(message, (reply, handle) => {
    if (reply === null) return; // the primary is gone; 'disconnect' ends this worker
    const answer = reply as unknown as Received<QueryServerReply>;
    if (typeof tls._setServerData === 'function') tls._setServerData(answer.data);
    decide(answer.errno ? 'listen fails: server emits error' : handle ? 'SCHED_NONE: listen on the shared handle' : 'round robin: faux handle');
    // The reply says which policy the primary runs: a handle rides along
    // only under SCHED_NONE.
    if (handle) shared(obj, answer, { handle, indexesKey, index }, cb);
    else if (answer.reusePort) reuseport(obj, answer, { indexesKey, index }, cb);
    else rr(obj, answer, { indexesKey, index }, cb);
  });

  obj.once('listening', () => {
    if (!indexes.has(indexesKey)) return; // a short-lived server, closed already
    if (cluster.worker !== null) cluster.worker.state = 'listening';
    const bound = obj.address();
    // NODE: reuses (mutates) the queryServer message; we send a copy.
    send({ ...message, act: 'listening', port: (typeof bound === 'object' && bound?.port) || options.port });
  });
};

/** A listen ended (closed, or failed): its index is free for the next listen on the tuple. */
function removeIndexesKey(indexesKey: string, index: number): void {
  // exercise 06: begin give-back
  const indexSet = indexes.get(indexesKey);
  if (indexSet === undefined) return;
  indexSet.set.delete(index);
  if (indexSet.set.size === 0) indexes.delete(indexesKey); // numbering restarts at 0
  // exercise 06: end
}

interface Slot { indexesKey: string; index: number }

/** SCHED_NONE: the real bound socket. Closing it first tells the primary. */
function shared(owner: Server, message: QueryServerReply, { handle, indexesKey, index }: Slot & { handle: RawHandle }, cb: GetServerCallback): void {
  const key = message.key;
  tellPrimaryOnClose(handle, key, { indexesKey, index });
  if (!claim(key, handle, owner)) return cb(UV_EADDRINUSE, null);
  cb(message.errno ?? 0, handle);
}

/** Wrap a real handle's close() so the primary learns when this worker lets go of the socket. */
function tellPrimaryOnClose(handle: RawHandle, key: string, { indexesKey, index }: Slot): void {
  const close = handle.close;
  handle.close = function (this: RawHandle, ...args: unknown[]) {
    send({ act: 'close', key });
    handles.delete(key);
    removeIndexesKey(indexesKey, index);
    return (close as (...a: unknown[]) => void).apply(this, args);
  };
}

/** Round robin: the primary listens; this worker's server gets a faux handle. */
function rr(owner: Server, message: QueryServerReply, { indexesKey, index }: Slot, cb: GetServerCallback): void {
  if (message.errno) {
    // DIVERGENCE: Node keeps the index of a failed listen, so this
    // worker's next listen no longer matches the others' (nodejs/node#60086).
    removeIndexesKey(indexesKey, index);
    return cb(message.errno, null);
  }
  const key = message.key;
  const handle = new FauxHandle(key, message.sockname as Sockname | undefined, () => {
    send({ act: 'close', key });
    handles.delete(key);
    removeIndexesKey(indexesKey, index);
  });
  if (!claim(key, handle, owner)) return cb(UV_EADDRINUSE, null);
  if (message.track) countConnections(key, owner);
  cb(0, handle);
}

/**
 * Ours, SCHED_REUSEPORT (src/master/reuseport-handle.ts): the primary chose
 * the port; this worker binds and listens on its own socket with
 * SO_REUSEPORT. Its close() tells the primary, as a shared handle's does.
 */
function reuseport(owner: Server, message: QueryServerReply, { indexesKey, index }: Slot, cb: GetServerCallback): void {
  const key = message.key;
  cb(0, null, {
    port: message.reusePort!.port,
    flags: UV_TCP_REUSEPORT,
    onbound(handle) {
      tellPrimaryOnClose(handle, key, { indexesKey, index });
      claim(key, handle, owner);
    },
    onfailed: () => removeIndexesKey(indexesKey, index), // net emits the bind error itself
  });
}

/**
 * Ours: the primary's scheduler chooses by open connections (scheduler.ts),
 * so it must learn when they close. The cheapest way: no message per
 * connection handed over (the `accepted` reply carries the count), and one
 * per turn of the event loop in which some of this server's sockets
 * closed, whatever their number. Nothing of this runs under plain round robin.
 */
const counted = new Map<Server, { key: string; reporting: boolean }>();
function countConnections(key: string, owner: Server): void {
  const known = counted.get(owner);
  if (known !== undefined) {
    known.key = key; // the server listens again: same server, new key
    return;
  }
  const entry = { key, reporting: false };
  counted.set(owner, entry);
  const report = (): void => {
    entry.reporting = false;
    if (handles.has(entry.key)) send({ act: 'connections', key: entry.key, open: openConnections(owner) });
  };
  owner.on('connection', (socket) => socket.once('close', () => {
    if (entry.reporting) return;
    entry.reporting = true;
    setImmediate(report);
  }));
}

function openConnections(server: Server): number {
  return (server as Server & { _connections?: number })._connections ?? 0;
}

/** Record a new listener. DIVERGENCE: Node asserts the key is new (unreachable while indexes stay in step). */
function claim(key: string, handle: ClusterHandle, owner: Server): boolean {
  if (handles.has(key)) return false;
  handles.set(key, handle);
  owners.set(handle, owner);
  return true;
}

/**
 * Round robin: the primary handed this worker a connection. Accept it, or
 * refuse it if the server is at `maxConnections` or already closed here
 * (a server closed here but whose `close` the primary has not seen yet
 * still gets handoffs; the primary then finds another worker).
 */
function onconnection(message: Received<{ key: string }>, clientHandle: RawHandle): void {
  const key = message.key;
  // exercise 08: begin decide
  const server = handles.get(key);
  let accepted = server !== undefined;
  if (accepted && atConnectionLimit(owners.get(server!)!)) accepted = false;
  decide(accepted ? "accepted: emit 'connection'" : server ? 'refused: maxConnections reached' : 'refused: server closed here');
  // exercise 08: end

  // Answer first: the primary hands this worker nothing more on this
  // listener until it has answered, so a slow 'connection' handler must
  // not delay the answer.
  // (With a counting scheduler, the answer carries the open count, the new one included.)
  const tracked = accepted && counted.size !== 0 && counted.get(owners.get(server!)!)?.key === key;
  send(tracked ? { ack: message.seq, accepted, open: openConnections(owners.get(server!)!) + 1 } : { ack: message.seq, accepted });

  // exercise 08: begin hand-over
  // net's own onconnection (set on the faux handle when the server took it)
  // turns the raw handle into a net.Socket and emits 'connection'.
  if (accepted) (server as FauxHandle).onconnection?.(0, clientHandle);
  else clientHandle?.close(); // NODE: PR #43650 fixed an fd leak here
  // exercise 08: end
}

/** Maximum connections reached? NODE: v21 made `maxConnections = 0` mean "refuse all". */
const zeroRefusesAll = Number(process.versions.node.split('.')[0]) >= 21;
function atConnectionLimit(server: Server & { _connections?: number }): boolean {
  // exercise 08: begin limit
  const max = server.maxConnections;
  const open = server._connections ?? 0;
  return zeroRefusesAll ? max != null && open >= max : Boolean(max) && open >= max;
  // exercise 08: end
}

function send(message: OutgoingMessage, cb?: ReplyCallback): boolean {
  return sendHelper(process, message, null, cb);
}

/**
 * Leave: close every cluster server (each waits for its connections to
 * end), then close the channel. If the worker started it, first tell the
 * primary we leave on purpose, and wait for its ack, so that
 * `exitedAfterDisconnect` is true in the primary before the channel closes.
 */
function _disconnect(worker: Worker, primaryInitiated: boolean): void {
  worker.exitedAfterDisconnect = true;
  let waitingCount = 1;

  function checkWaitingCount(): void {
    if (--waitingCount !== 0) return;
    if (primaryInitiated) process.disconnect();
    else send({ act: 'exitedAfterDisconnect' }, () => process.disconnect());
  }

  for (const handle of handles.values()) {
    waitingCount++;
    const server = owners.get(handle)!;
    if (isHttpServer(server)) {
      // DIVERGENCE: http's close() destroys idle keep-alive sockets at once,
      // racing with a request the client may be writing into one of them.
      // We stop listening as net does, and drain the connections instead:
      // the next response on each says `Connection: close`, a silent one
      // closes after the grace. The callback still waits for them all.
      drainConnections(server, drainGraceMs());
      net.Server.prototype.close.call(server, checkWaitingCount);
    } else {
      server.close(checkWaitingCount); // a plain net server: close waits for its connections, as in Node
    }
  }
  handles.clear();
  checkWaitingCount();
}

/** setupPrimary({ drainGraceMs }), passed down by fork.ts. */
function drainGraceMs(): number {
  const value = Number(process.env[DRAIN_GRACE_ENV]);
  return Number.isFinite(value) && value >= 0 ? value : DEFAULT_DRAIN_GRACE_MS;
}

/** The worker side of Worker.prototype.disconnect and destroy (src/index.ts installs them). */
export const workerSide: WorkerSide = {
  disconnect(this: Worker): Worker {
    if (this.state !== 'disconnecting' && this.state !== 'destroying') {
      this.state = 'disconnecting';
      _disconnect(this, false);
    }
    return this;
  },
  destroy(this: Worker): void {
    // NODE: the signal argument is ignored inside a worker.
    if (this.state === 'destroying') return;
    this.exitedAfterDisconnect = true;
    if (!this.isConnected()) {
      process.exit(0);
    } else {
      this.state = 'destroying';
      send({ act: 'exitedAfterDisconnect' }, () => process.disconnect());
      process.once('disconnect', () => process.exit(0));
    }
  },
};
