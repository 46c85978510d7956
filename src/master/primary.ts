/**
 * The cluster object as the primary sees it: settings, fork(), the table of
 * worker messages, and the map of listeners (`handles`) shared by workers.
 *
 * Mirrors: lib/internal/cluster/primary.js (Node v20)
 * Read next: src/master/round-robin-handle.ts, then src/master/shared-handle.ts
 *
 *   worker                                      primary
 *     |-- {act:'queryServer', index:0, port:0, seq:1} -->| key = "127.0.0.1:0:4:undefined:0"
 *     |                                                  | handles.get(key) ?? new RoundRobinHandle
 *     |<-- {ack:1, errno:null, key, sockname} -----------| handle.add(worker, send)
 *     |-- {act:'listening', port:41234} ---------------->| emits 'listening'(worker, address)
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { sendHelper, internal, dropPendingRequests, type Envelope, type QueryServerMessage } from '../ipc.ts';
import { Worker, type WorkerSide } from '../worker.ts';
import { RoundRobinHandle } from './round-robin-handle.ts';
import { SharedHandle } from './shared-handle.ts';
import { createWorkerProcess, type ClusterSettings } from './fork.ts';
import { validate } from './validate.ts';
import { decide } from '../trace.ts';
import { createStepGate, stepping } from '../step.ts';

export const SCHED_NONE = 1;
export const SCHED_RR = 2;

export interface PrimaryCluster extends EventEmitter {
  isWorker: false; isMaster: true; isPrimary: true;
  Worker: typeof Worker;
  workers: Record<number, Worker>;
  settings: ClusterSettings;
  SCHED_NONE: 1; SCHED_RR: 2;
  schedulingPolicy: number;
  setupPrimary(settings?: ClusterSettings): void;
  setupMaster(settings?: ClusterSettings): void;
  fork(env?: NodeJS.ProcessEnv): Worker;
  disconnect(cb?: () => void): void;
}

type AnyHandle = RoundRobinHandle | SharedHandle;

export function createPrimary(): PrimaryCluster {
  const cluster = new EventEmitter() as PrimaryCluster;
  /** Every listener the workers share, by key. */
  const handles = new Map<string, AnyHandle>();
  let ids = 0;
  let initialized = false;
  let schedulingPolicy = 0; // frozen copy of cluster.schedulingPolicy, set at the first setupPrimary()

  Object.assign(cluster, {
    isWorker: false, isMaster: true, isPrimary: true, Worker, workers: {}, settings: {},
    SCHED_NONE, SCHED_RR,
    // NODE: read once, when the module is first evaluated; Windows defaults to SCHED_NONE.
    schedulingPolicy: policyFromEnv(process.env.NODE_CLUSTER_SCHED_POLICY),
  });

  cluster.setupPrimary = function setupPrimary(options?: ClusterSettings): void {
    const settings: ClusterSettings = {
      args: process.argv.slice(2), exec: process.argv[1], execArgv: process.execArgv, silent: false,
      ...cluster.settings, ...options,
    };
    cluster.settings = settings;
    if (!initialized) {
      initialized = true;
      // The policy freezes here: later writes to cluster.schedulingPolicy are ignored.
      schedulingPolicy = cluster.schedulingPolicy;
      if (schedulingPolicy !== SCHED_NONE && schedulingPolicy !== SCHED_RR) {
        throw new Error(`Bad cluster.schedulingPolicy: ${schedulingPolicy}`);
      }
    }
    process.nextTick(() => cluster.emit('setup', settings));
  };
  cluster.setupMaster = cluster.setupPrimary; // the pre-v16 name, kept as an alias

  const side: WorkerSide = {
    disconnect(worker) {
      worker.exitedAfterDisconnect = true;
      sendHelper(worker.process, { act: 'disconnect' });
      removeHandlesForWorker(worker); // no new connection is routed to it from now on
      removeWorker(worker);
    },
    destroy(worker, signal) {
      // NODE: a plain signal since v15 (PR #34312); exitedAfterDisconnect stays false.
      (worker.process as import('node:child_process').ChildProcess).kill(signal ?? 'SIGTERM');
    },
  };

  cluster.fork = function fork(env?: NodeJS.ProcessEnv): Worker {
    cluster.setupPrimary();
    const id = ++ids;
    const child = createWorkerProcess(id, env, cluster.settings);
    const worker = new Worker({ id, process: child }, side);

    worker.on('message', (message, handle) => cluster.emit('message', worker, message, handle));
    child.once('exit', (exitCode, signalCode) => {
      // Forget the worker only once it has also disconnected: until then
      // its channel may still deliver messages.
      // (With a handle still waiting for its NODE_HANDLE_ACK, child_process
      // never emits 'disconnect' for a dead worker: this is the only cleanup.)
      if (!worker.isConnected()) {
        removeHandlesForWorker(worker);
        dropPendingRequests(child);
        removeWorker(worker);
      }
      worker.exitedAfterDisconnect = !!worker.exitedAfterDisconnect;
      worker.state = 'dead';
      worker.emit('exit', exitCode, signalCode);
      cluster.emit('exit', worker, exitCode, signalCode);
    });
    child.once('disconnect', () => {
      // The channel is gone: nothing can be handed to this worker any more.
      removeHandlesForWorker(worker);
      dropPendingRequests(child); // handoffs it never answered go to other workers
      if (worker.isDead()) removeWorker(worker);
      worker.exitedAfterDisconnect = !!worker.exitedAfterDisconnect;
      worker.state = 'disconnected';
      worker.emit('disconnect');
      cluster.emit('disconnect', worker);
    });
    child.on('internalMessage', internal(worker, onmessage, stepGate?.(`w${id}`)));
    process.nextTick(() => cluster.emit('fork', worker));
    cluster.workers[worker.id] = worker;
    return worker;
  };

  cluster.disconnect = function disconnect(cb?: () => void): void {
    const workers = Object.values(cluster.workers);
    for (const worker of workers) if (worker.isConnected()) worker.disconnect();
    if (cb === undefined) return;
    // DIVERGENCE: Node calls back when the first worker exits after this
    // (nodejs/node experiment: cb ran ~1 s before the last worker left).
    // We call back when every worker we asked has exited.
    const pending = new Set(workers.filter((w) => !w.isDead()));
    if (pending.size === 0) return void process.nextTick(cb);
    const onexit = (worker: Worker): void => {
      if (!pending.delete(worker) || pending.size !== 0) return;
      cluster.off('exit', onexit);
      cb();
    };
    cluster.on('exit', onexit);
  };

  // ---- messages from workers (Node's `onmessage` dispatch) ----

  const acts: Record<string, (worker: Worker, message: Envelope) => void> = {
    online(worker) {
      decide("state=online, emit 'online'");
      worker.state = 'online';
      worker.emit('online');
      cluster.emit('online', worker);
    },
    queryServer,
    listening(worker, message) {
      const { addressType, address, port, fd } = message;
      const info = { addressType, address, port, fd };
      decide(`state=listening, emit 'listening' on port ${port}`);
      worker.state = 'listening';
      worker.emit('listening', info);
      cluster.emit('listening', worker, info);
    },
    exitedAfterDisconnect(worker, message) {
      decide('exitedAfterDisconnect=true, ack');
      worker.exitedAfterDisconnect = true;
      sendHelper(worker.process, { ack: message.seq });
    },
    close(worker, message) {
      const key = message.key as string;
      const handle = handles.get(key);
      decide(handle === undefined ? 'no such listener: ignored' : `w${worker.id} leaves ${key}`);
      if (handle !== undefined && handle.remove(worker)) handles.delete(key);
    },
  };

  const malformed = new Map<number, number>(); // malformed messages per worker id
  function onmessage(this: Worker, message: Envelope): void {
    const problem = validate(message);
    if (problem !== null) {
      decide(`ignored: ${problem}`);
      // DIVERGENCE: Node trusts its workers; a bad message can crash its
      // primary or be dropped silently. We warn (the first 10 per worker,
      // then at 100, 1000, ...) and otherwise ignore it.
      const count = (malformed.get(this.id) ?? 0) + 1;
      malformed.set(this.id, count);
      if (count <= 10 || Number.isInteger(Math.log10(count))) {
        process.emitWarning(`worker ${this.id} sent a malformed internal message (${problem}); ignored [${count} so far]`, 'MiniClusterWarning');
      }
      return;
    }
    acts[message.act as string](this, message);
  }

  function queryServer(worker: Worker, envelope: Envelope): void {
    if (worker.exitedAfterDisconnect) return; // Stop processing if worker already disconnecting
    const message = envelope as unknown as QueryServerMessage & Envelope;
    const key = `${message.address}:${message.port}:${message.addressType}:${message.fd}:${message.index}`;
    let handle = handles.get(key);
    if (handle === undefined) {
      let address = message.address;
      // A Unix socket path is limited to ~100 bytes: bind by the shorter of
      // the absolute and the cwd-relative path. The key keeps the absolute one.
      if (message.port < 0 && typeof address === 'string' && process.platform !== 'win32') {
        const relative = path.relative(process.cwd(), address);
        if (relative.length < address.length) address = relative;
      }
      // SIMPLIFIED: no UDP here, so no "UDP always gets a SharedHandle" branch.
      handle = schedulingPolicy === SCHED_RR ? new RoundRobinHandle(key, address, message) : new SharedHandle(key, address, message);
      handles.set(key, handle);
      decide(`new ${handle.constructor.name} for ${key}`);
    } else {
      decide(`joins the ${handle.constructor.name} for ${key}`);
    }
    const owner = handle;
    if (!owner.data) owner.data = message.data;
    const added = owner.add(worker, (errno, reply, rawHandle) => {
      // A failed bind forgets the key, to give other workers a chance to retry.
      if (errno && handles.get(key) === owner) handles.delete(key);
      sendHelper(worker.process, { errno, key, ack: message.seq, data: owner.data, ...reply }, rawHandle);
    });
    if (!added) {
      // DIVERGENCE: Node asserts (and crashes) on a second query for the same key.
      process.emitWarning(`worker ${worker.id} asked twice for ${key}; refused`, 'MiniClusterWarning');
      sendHelper(worker.process, { errno: UV_EADDRINUSE, key, ack: message.seq, data: null });
    }
  }

  // MINI_CLUSTER_STEP: pause before each message, showing the round-robin queues.
  const stepGate = stepping ? createStepGate(() => queues()) : undefined;
  function queues(): string {
    const lines = [...handles.values()].map((h) => {
      if (!(h instanceof RoundRobinHandle)) return `   SharedHandle ${h.key}: ${h.workers.size} worker(s)`;
      const free = [...h.free.keys()].map((id) => `w${id}`);
      const inflight = [...h.all.keys()].filter((id) => !h.free.has(id)).map((id) => `w${id}`);
      return `   RR ${h.key} free=[${free}] handles=${h.handles.length} inflight={${inflight}}`;
    });
    return lines.length > 0 ? lines.join('\n') : '   (no listeners yet)';
  }

  function removeHandlesForWorker(worker: Worker): void {
    for (const [key, handle] of handles) if (handle.remove(worker)) handles.delete(key);
  }

  function removeWorker(worker: Worker): void {
    delete cluster.workers[worker.id];
    if (Object.keys(cluster.workers).length === 0 && handles.size !== 0) {
      // NODE: an assertion ("Resource leak detected."). A warning does not kill the primary.
      process.emitWarning(`no workers left but ${handles.size} listener(s) still open`, 'MiniClusterWarning');
    }
  }

  return cluster;
}

// libuv reports errors as negative errno values.
const UV_EADDRINUSE = -os.constants.errno.EADDRINUSE;

function policyFromEnv(value: string | undefined): number {
  if (value === 'rr') return SCHED_RR;
  if (value === 'none') return SCHED_NONE;
  return process.platform === 'win32' ? SCHED_NONE : SCHED_RR;
}
