/**
 * The cluster object as a worker sees it: joining the cluster, asking the
 * primary for listeners (`_getServer`), taking handed-off connections, and
 * leaving (disconnect / destroy).
 *
 * Mirrors: lib/internal/cluster/child.js (Node v20)
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
import type { Server } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { sendHelper, internal, type Envelope, type OutgoingMessage, type QueryServerMessage, type RawHandle, type ReplyCallback, type ServerQuery } from '../ipc.ts';
import { Worker, WORKER_ID_ENV, type WorkerSide } from '../worker.ts';
import { FauxHandle } from './faux-handle.ts';
import { installNetShim } from '../net-shim/listen-in-cluster.ts';
import { decide, traceAs } from '../trace.ts';

/** A listener handle in this worker: the faux handle (RR) or the shared raw handle (NONE). */
export type ClusterHandle = FauxHandle | RawHandle;
export type GetServerCallback = (errno: number, handle: ClusterHandle | null) => void;

export interface WorkerCluster extends EventEmitter {
  isWorker: true; isMaster: false; isPrimary: false;
  Worker: typeof Worker;
  worker: Worker | null;
  _setupWorker(): void;
  _getServer(obj: Server, options: ServerQuery, cb: GetServerCallback): void;
}

const UV_EADDRINUSE = -os.constants.errno.EADDRINUSE;

/** Maximum connections reached? NODE: v21 made `maxConnections = 0` mean "refuse all". */
const zeroRefusesAll = Number(process.versions.node.split('.')[0]) >= 21;
function atConnectionLimit(server: Server & { _connections?: number }): boolean {
  const max = server.maxConnections;
  const open = server._connections ?? 0;
  return zeroRefusesAll ? max != null && open >= max : Boolean(max) && open >= max;
}

export function createWorkerCluster(): WorkerCluster {
  const cluster = new EventEmitter() as WorkerCluster;
  Object.assign(cluster, { isWorker: true, isMaster: false, isPrimary: false, Worker, worker: null });

  /** This worker's cluster listeners by the primary's key; `owner` is the net.Server. */
  const handles = new Map<string, { handle: ClusterHandle; owner: Server }>();
  /**
   * Per tuple "address:port:addressType:fd", which listen indexes are in use.
   * The N-th listen on a tuple gets index N-1, so the N-th listen of every
   * worker maps to the same key in the primary and they share one socket.
   */
  const indexes = new Map<string, { nextIndex: number; set: Set<number> }>();

  const send = (message: OutgoingMessage, cb?: ReplyCallback): boolean => sendHelper(process, message, null, cb);

  function releaseIndex(indexesKey: string, index: number): void {
    const entry = indexes.get(indexesKey);
    if (entry === undefined) return;
    entry.set.delete(index);
    if (entry.set.size === 0) indexes.delete(indexesKey); // numbering restarts at 0
  }

  const side: WorkerSide = {
    disconnect(worker) {
      if (worker.state === 'disconnecting' || worker.state === 'destroying') return;
      worker.state = 'disconnecting';
      leave(worker, false);
    },
    destroy(worker) {
      // NODE: the signal argument is ignored inside a worker.
      if (worker.state === 'destroying') return;
      worker.exitedAfterDisconnect = true;
      if (!worker.isConnected()) return void process.exit(0);
      worker.state = 'destroying';
      send({ act: 'exitedAfterDisconnect' }, () => process.disconnect());
      process.once('disconnect', () => process.exit(0));
    },
  };

  /**
   * Node's `_disconnect`: close every cluster server (waiting for its
   * connections to end), then close the channel. If we started it, first tell
   * the primary we leave on purpose, and wait for its ack.
   */
  function leave(worker: Worker, primaryInitiated: boolean): void {
    worker.exitedAfterDisconnect = true;
    let waiting = 1;
    const checkWaiting = (): void => {
      if (--waiting !== 0) return;
      if (primaryInitiated) process.disconnect();
      else send({ act: 'exitedAfterDisconnect' }, () => process.disconnect());
    };
    for (const { owner } of handles.values()) {
      waiting++;
      owner.close(checkWaiting);
    }
    handles.clear();
    checkWaiting();
  }

  cluster._setupWorker = function _setupWorker(): void {
    // Inside a worker, worker.process is the global process (typed as a ChildProcess, see worker.ts).
    const worker = new Worker({ id: Number(process.env[WORKER_ID_ENV]) | 0, process: process as unknown as ChildProcess, state: 'online' }, side);
    cluster.worker = worker;
    traceAs(`w${worker.id}`);
    process.once('disconnect', () => {
      worker.emit('disconnect');
      // Unexpected disconnect: the primary died or closed us off. Leave now.
      if (!worker.exitedAfterDisconnect) process.exit(0);
    });
    process.on('internalMessage', internal(worker, function onmessage(message: Envelope, handle?: RawHandle) {
      if (message.act === 'newconn') onconnection(message, handle as RawHandle);
      else if (message.act === 'disconnect') {
        decide(`close ${handles.size} server(s), then the channel`);
        leave(worker, true);
      }
    }));
    installNetShim(cluster._getServer); // from now on, listen() asks the primary
    send({ act: 'online' });
    // Grandchildren (processes this worker forks) are primaries, not workers.
    delete process.env[WORKER_ID_ENV];
  };

  cluster._getServer = function _getServer(obj, options, cb): void {
    let address = options.address;
    // Unix socket paths are resolved against the worker's cwd.
    if (options.port !== null && options.port < 0 && typeof address === 'string' && process.platform !== 'win32') address = path.resolve(address);
    const indexesKey = [address, options.port, options.addressType, options.fd].join(':');
    let entry = indexes.get(indexesKey);
    if (entry === undefined) indexes.set(indexesKey, (entry = { nextIndex: 0, set: new Set() }));
    const index = entry.nextIndex++;
    entry.set.add(index);

    const tls = obj as Server & { _getServerData?: () => unknown; _setServerData?: (data: unknown) => void };
    const message: QueryServerMessage = { act: 'queryServer', index, data: null, ...options, address };
    if (typeof tls._getServerData === 'function') message.data = tls._getServerData();

    send(message, (reply, handle) => {
      if (reply === null) return; // the primary is gone; 'disconnect' ends this worker
      if (typeof tls._setServerData === 'function') tls._setServerData(reply.data);
      const errno = reply.errno as number | null;
      const key = reply.key as string;
      decide(errno ? 'listen fails: server emits error' : handle ? 'SCHED_NONE: listen on the shared handle' : 'round robin: faux handle');
      if (errno) {
        // DIVERGENCE: Node keeps the index of a failed listen, so this
        // worker's next listen no longer matches the others' (nodejs/node#60086).
        releaseIndex(indexesKey, index);
        return cb(errno, null);
      }
      const onclose = (): void => {
        send({ act: 'close', key });
        handles.delete(key);
        releaseIndex(indexesKey, index);
      };
      // DIVERGENCE: Node asserts here (unreachable while indexes stay in step).
      if (handles.has(key)) return cb(UV_EADDRINUSE, null);
      const listener = handle !== undefined ? shared(handle, onclose) : new FauxHandle(key, obj, reply.sockname as never, onclose);
      handles.set(key, { handle: listener, owner: obj });
      cb(0, listener);
    });

    obj.once('listening', () => {
      if (!indexes.has(indexesKey)) return; // closed already
      if (cluster.worker !== null) cluster.worker.state = 'listening';
      const bound = obj.address();
      // NODE: reuses (mutates) the queryServer message; we send a copy.
      send({ ...message, act: 'listening', port: (typeof bound === 'object' && bound?.port) || options.port });
    });
  };

  /** SCHED_NONE: the real bound socket. Closing it first tells the primary. */
  function shared(handle: RawHandle, onclose: () => void): RawHandle {
    const close = handle.close;
    handle.close = function (this: RawHandle, ...args: unknown[]) {
      onclose();
      return (close as (...a: unknown[]) => void).apply(this, args);
    };
    return handle;
  }

  /** A connection handed over by the primary (round robin). */
  function onconnection(message: Envelope, clientHandle: RawHandle): void {
    const entry = handles.get(message.key as string);
    // A server closed here but whose `close` the primary has not yet seen
    // still gets handoffs: refuse them, the primary finds another worker.
    let accepted = entry !== undefined;
    if (entry !== undefined && atConnectionLimit(entry.owner)) accepted = false;
    decide(accepted ? "accepted: emit 'connection'" : entry ? 'refused: maxConnections reached' : 'refused: server closed here');
    // Answer first: the primary hands this worker nothing more until it does.
    send({ ack: message.seq, accepted });
    if (accepted) (entry!.handle as FauxHandle).onconnection?.(0, clientHandle);
    else clientHandle?.close(); // NODE: PR #43650 fixed an fd leak here
  }

  return cluster;
}
