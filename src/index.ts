/**
 * mini-cluster's entry point: a drop-in for Node's cluster module. Point a
 * program's cluster import at 'mini-cluster' instead of 'node:cluster' and a
 * TCP/HTTP program runs the same, on our engine.
 *
 * Mirrors: lib/cluster.js (Node v20): pick the worker or the primary side.
 * Read next: src/master/primary.ts, then src/worker/child.ts
 */
import type { EventEmitter } from 'node:events';
import type { Server } from 'node:net';
import * as primary from './master/primary.ts';
import * as child from './worker/child.ts';
import type { ClusterSettings } from './master/fork.ts';
import type { GetServerCallback } from './worker/child.ts';
import { setWorkerSide, WORKER_ID_ENV, type Worker as WorkerInstance, type WorkerConstructor } from './worker.ts';
import type { ServerQuery } from './ipc.ts';

/** The shape both sides share, as @types/node describes node:cluster. */
export interface Cluster extends EventEmitter {
  readonly isPrimary: boolean;
  readonly isMaster: boolean;
  readonly isWorker: boolean;
  Worker: WorkerConstructor;
  /** Primary only: live workers by id. */
  workers?: NodeJS.Dict<WorkerInstance>;
  /** Worker only: this worker. */
  worker?: WorkerInstance;
  settings: ClusterSettings;
  schedulingPolicy: number;
  readonly SCHED_NONE: number;
  readonly SCHED_RR: number;
  /** Ours: every worker binds its own SO_REUSEPORT socket (Node >= 22.12); not an own enumerable key. */
  readonly SCHED_REUSEPORT?: number;
  fork(env?: NodeJS.ProcessEnv): WorkerInstance;
  setupPrimary(settings?: ClusterSettings): void;
  setupMaster(settings?: ClusterSettings): void;
  disconnect(callback?: () => void): void;
  /** Internal, worker only (as in Node). */
  _setupWorker?(): void;
  _getServer?(obj: Server, options: ServerQuery, cb: GetServerCallback): void;
}

// NODE: lib/cluster.js looks for NODE_UNIQUE_ID once, when first loaded, and
// loads child.js or primary.js. Both of our modules are loaded (imports are
// static) but only one cluster object is used, and only its side's
// disconnect/destroy go on Worker.prototype. The object is kept on
// globalThis so that a program that loads this module twice (once from
// source and once built, say) still has one cluster.
const kCluster = Symbol.for('mini-cluster:cluster');
const store = globalThis as typeof globalThis & { [kCluster]?: Cluster };
if (store[kCluster] === undefined) {
  const isWorker = WORKER_ID_ENV in process.env;
  setWorkerSide(isWorker ? child.workerSide : primary.primarySide);
  store[kCluster] = (isWorker ? child.cluster : primary.cluster) as unknown as Cluster;
}

const cluster: Cluster = store[kCluster];
export default cluster;

/** The Worker constructor: `cluster.Worker`, the one this program's cluster uses. */
export const Worker: WorkerConstructor = cluster.Worker;
export type Worker = WorkerInstance;
export const { SCHED_NONE, SCHED_RR, SCHED_REUSEPORT } = primary;
export type { ClusterSettings, WorkerConstructor };
