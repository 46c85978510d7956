/**
 * The cluster object as the primary sees it: settings, fork(), disconnect(),
 * the map of listeners (`handles`) that workers share, and the bookkeeping
 * when a worker goes away.
 *
 * Mirrors: lib/internal/cluster/primary.js (Node v20), in the same order; its
 *          message table is in onmessage.ts, createWorkerProcess in fork.ts.
 * Read next: src/master/onmessage.ts (queryServer), src/master/round-robin-handle.ts
 *
 *   cluster.fork() => setupPrimary() => child_process.fork(exec) + bootstrap preload
 *                  => 'fork' (next tick), then 'online', 'listening' (worker messages)
 *   worker leaves  => 'disconnect': removeHandlesForWorker, answer its pending requests
 *                  => 'exit': removeWorker (once both have happened)
 */
import { EventEmitter } from 'node:events';
import { sendHelper, internal, dropPendingRequests } from '../ipc.ts';
import { Worker, type WorkerSide } from '../worker.ts';
import { RoundRobinHandle } from './round-robin-handle.ts';
import type { SharedHandle } from './shared-handle.ts';
import { reusePortSupported, type ReusePortHandle } from './reuseport-handle.ts';
import { createWorkerProcess, type ClusterSettings } from './fork.ts';
import { checkScheduler } from './scheduler.ts';
import { onmessage } from './onmessage.ts';
import { createStepGate, stepping } from '../step.ts';
import { tracing, traceLifecycle } from '../trace.ts';

export const SCHED_NONE = 1;
export const SCHED_RR = 2;
/** Ours (DIVERGENCE): every worker binds its own SO_REUSEPORT socket (reuseport-handle.ts). */
export const SCHED_REUSEPORT = 3;

export interface PrimaryCluster extends EventEmitter {
  isWorker: false; isMaster: true; isPrimary: true;
  Worker: typeof Worker;
  workers: Record<number, Worker>;
  settings: ClusterSettings;
  SCHED_NONE: 1; SCHED_RR: 2; readonly SCHED_REUSEPORT: 3;
  schedulingPolicy: number;
  setupPrimary(settings?: ClusterSettings): void;
  setupMaster(settings?: ClusterSettings): void;
  fork(env?: NodeJS.ProcessEnv): Worker;
  disconnect(cb?: () => void): void;
}

export type AnyHandle = RoundRobinHandle | SharedHandle | ReusePortHandle;

export const cluster = new EventEmitter() as PrimaryCluster;
/** Every listener the workers share, by key; queryServer (onmessage.ts) fills it. */
export const handles = new Map<string, AnyHandle>();

cluster.isWorker = false;
cluster.isMaster = true; // the pre-v16 name, kept as an alias
cluster.isPrimary = true;
cluster.Worker = Worker;
cluster.workers = {};
cluster.settings = {};
cluster.SCHED_NONE = SCHED_NONE;
cluster.SCHED_RR = SCHED_RR;
// Not enumerable: the cluster object's own keys stay exactly node:cluster's.
Object.defineProperty(cluster, 'SCHED_REUSEPORT', { value: SCHED_REUSEPORT, enumerable: false });
// NODE: read once, when the module is first evaluated; Windows defaults to SCHED_NONE.
cluster.schedulingPolicy = policyFromEnv(process.env.NODE_CLUSTER_SCHED_POLICY);

let ids = 0;
let initialized = false;
/** cluster.schedulingPolicy as it was at the first setupPrimary(); later writes are ignored. */
let schedulingPolicy = 0;

/** The policy frozen at the first setupPrimary(): queryServer picks the handle class by it. */
export function policy(): number {
  return schedulingPolicy;
}

cluster.setupPrimary = function setupPrimary(options?: ClusterSettings): void {
  const settings: ClusterSettings = {
    args: process.argv.slice(2), exec: process.argv[1], execArgv: process.execArgv, silent: false,
    ...cluster.settings, ...options,
  };
  // Ours: the scheduler's default comes from the environment, as the policy's does.
  if (settings.scheduler === undefined && process.env.MINI_CLUSTER_SCHEDULER) settings.scheduler = process.env.MINI_CLUSTER_SCHEDULER as ClusterSettings['scheduler'];
  checkSettings(settings);
  cluster.settings = settings;
  if (!initialized) {
    initialized = true;
    // The policy freezes here.
    schedulingPolicy = cluster.schedulingPolicy;
    if (schedulingPolicy !== SCHED_NONE && schedulingPolicy !== SCHED_RR && schedulingPolicy !== SCHED_REUSEPORT) {
      throw new Error(`Bad cluster.schedulingPolicy: ${schedulingPolicy}`);
    }
    if (schedulingPolicy === SCHED_REUSEPORT && !reusePortSupported()) {
      initialized = false; // nothing was set up; a later setupPrimary() may choose another policy
      throw new Error(`SCHED_REUSEPORT needs listen({ reusePort }), which Node has from 22.12 and 23.1; this is Node ${process.version}`);
    }
  }
  process.nextTick(setupSettingsNT, settings);
};
cluster.setupMaster = cluster.setupPrimary;

/** Our own settings get a clear error for a bad value, before anything forks. */
function checkSettings(settings: ClusterSettings): void {
  if (settings.scheduler !== undefined) checkScheduler(settings.scheduler);
  const { maxPending, drainGraceMs } = settings;
  if (maxPending !== undefined && !(maxPending === Infinity || (Number.isInteger(maxPending) && maxPending > 0))) {
    throw new RangeError(`maxPending must be a positive integer or Infinity; got ${String(maxPending)}`);
  }
  if (drainGraceMs !== undefined && !(Number.isFinite(drainGraceMs) && drainGraceMs >= 0)) {
    throw new RangeError(`drainGraceMs must be a number of milliseconds >= 0; got ${String(drainGraceMs)}`);
  }
}

function setupSettingsNT(settings: ClusterSettings): void {
  cluster.emit('setup', settings);
}

// createWorkerProcess(id, env): in fork.ts.

function removeWorker(worker: Worker): void {
  delete cluster.workers[worker.id];
  if (Object.keys(cluster.workers).length === 0 && handles.size !== 0) {
    // DIVERGENCE: Node asserts ("Resource leak detected."); a warning does not kill the primary.
    process.emitWarning(`no workers left but ${handles.size} listener(s) still open`, 'MiniClusterWarning');
  }
}

function removeHandlesForWorker(worker: Worker): void {
  for (const [key, handle] of handles) {
    if (handle.remove(worker)) handles.delete(key);
  }
}

cluster.fork = function fork(env?: NodeJS.ProcessEnv): Worker {
  cluster.setupPrimary();
  const id = ++ids;
  const workerProcess = createWorkerProcess(id, env, cluster.settings);
  const worker = new Worker({ id, process: workerProcess });
  if (tracing) traceLifecycle('fork', `w${id}`, `pid ${workerProcess.pid}`);

  if (tracing) worker.on('message', (message) => traceLifecycle('message', `w${id}`, JSON.stringify(message)));
  worker.on('message', function (this: Worker, message, handle) {
    cluster.emit('message', this, message, handle);
  });

  // Forget a worker only once it has both exited and disconnected: until
  // then its channel may still deliver messages.
  const forget = (): void => {
    removeHandlesForWorker(worker);
    dropPendingRequests(workerProcess); // handoffs it never answered go to other workers
    removeWorker(worker);
  };

  worker.process.once('exit', (exitCode, signalCode) => {
    if (tracing) traceLifecycle('exit', `w${worker.id}`, `code ${exitCode}, signal ${signalCode}`);
    if (!worker.isConnected()) forget();
    else whenChannelCloses(worker, forget);
    worker.exitedAfterDisconnect = !!worker.exitedAfterDisconnect;
    worker.state = 'dead';
    worker.emit('exit', exitCode, signalCode);
    cluster.emit('exit', worker, exitCode, signalCode);
  });

  worker.process.once('disconnect', () => {
    // The channel is gone: nothing can be handed to this worker any more.
    removeHandlesForWorker(worker);
    dropPendingRequests(workerProcess); // handoffs it never answered go to other workers
    if (worker.isDead()) removeWorker(worker);
    worker.exitedAfterDisconnect = !!worker.exitedAfterDisconnect;
    worker.state = 'disconnected';
    worker.emit('disconnect');
    cluster.emit('disconnect', worker);
  });

  worker.process.on('internalMessage', internal(worker, onmessage, stepGate?.(`w${id}`)));
  process.nextTick(emitForkNT, worker);
  cluster.workers[worker.id] = worker;
  return worker;
};

function emitForkNT(worker: Worker): void {
  cluster.emit('fork', worker);
}

cluster.disconnect = function disconnect(cb?: () => void): void {
  const workers = Object.values(cluster.workers);
  for (const worker of workers) {
    if (worker.isConnected()) worker.disconnect();
  }
  if (cb === undefined) return;
  // DIVERGENCE: Node calls back when the first worker exits after this
  // (nodejs/node experiment: cb ran ~1 s before the last worker left).
  // We call back when every worker we asked has exited.
  const pending = new Set(workers.filter((w) => !w.isDead()));
  if (pending.size === 0) {
    process.nextTick(cb);
    return;
  }
  const onexit = (worker: Worker): void => {
    if (!pending.delete(worker) || pending.size !== 0) return;
    cluster.off('exit', onexit);
    cb();
  };
  cluster.on('exit', onexit);
};

/**
 * The worker's process is dead but its channel still reads as connected:
 * the end of the channel is still to be read. NODE: Node waits for the
 * channel's 'disconnect' event, but child_process never emits it while a
 * handle is still waiting for its NODE_HANDLE_ACK (a handoff to a worker
 * that died before taking it), so Node would keep that worker listed and
 * its client hanging. DIVERGENCE: we look again each 10 ms, and clean up
 * once the channel is closed (or after 1 s: nothing can come from a dead
 * process after that).
 */
function whenChannelCloses(worker: Worker, then: () => void): void {
  const started = Date.now();
  const timer = setInterval(() => {
    if (worker.isConnected() && Date.now() - started < 1000) return;
    clearInterval(timer);
    then();
  }, 10);
}

// MINI_CLUSTER_STEP: pause before each message, showing the listeners' queues.
function describeHandles(): string {
  return [...handles.values()].map((h) => `   ${h.describe()}`).join('\n') || '   (no listeners yet)';
}
const stepGate = stepping ? createStepGate(describeHandles) : undefined;

/** The primary side of Worker.prototype.disconnect and destroy (src/index.ts installs them). */
export const primarySide: WorkerSide = {
  disconnect(this: Worker): Worker {
    this.exitedAfterDisconnect = true;
    // DIVERGENCE: a listener this worker is the last one on gives it its
    // queued clients first, rather than closing them (round-robin-handle.ts).
    for (const handle of handles.values()) {
      if (handle instanceof RoundRobinHandle) handle.drain(this);
    }
    sendHelper(this.process, { act: 'disconnect' });
    removeHandlesForWorker(this); // no new connection is routed to it from now on
    removeWorker(this);
    return this;
  },
  destroy(this: Worker, signal?: NodeJS.Signals | number): void {
    // NODE: a plain signal since v15 (PR #34312); exitedAfterDisconnect stays false.
    this.process.kill(signal ?? 'SIGTERM');
  },
};

function policyFromEnv(value: string | undefined): number {
  if (value === 'rr') return SCHED_RR;
  if (value === 'none') return SCHED_NONE;
  if (value === 'reuseport') return SCHED_REUSEPORT; // ours; setupPrimary() checks the Node version
  return process.platform === 'win32' ? SCHED_NONE : SCHED_RR;
}
