/**
 * mini-cluster's entry point: a drop-in for Node's cluster module. Point a
 * program's cluster import at 'mini-cluster' instead of 'node:cluster' and a
 * TCP/HTTP program runs the same, on our engine.
 *
 * Mirrors: lib/cluster.js (Node v20): pick the worker or the primary side.
 * Read next: src/master/primary.ts, then src/worker/child.ts
 */
import type { EventEmitter } from 'node:events';
import { createPrimary, SCHED_NONE, SCHED_RR } from './master/primary.ts';
import type { ClusterSettings } from './master/fork.ts';
import { createWorkerCluster, type GetServerCallback } from './worker/child.ts';
import { Worker, WORKER_ID_ENV } from './worker.ts';
import type { ServerQuery } from './ipc.ts';
import type { Server } from 'node:net';

/** The shape both sides share, as @types/node describes node:cluster. */
export interface Cluster extends EventEmitter {
  readonly isPrimary: boolean;
  readonly isMaster: boolean;
  readonly isWorker: boolean;
  Worker: typeof Worker;
  /** Primary only: live workers by id. */
  workers?: NodeJS.Dict<Worker>;
  /** Worker only: this worker. */
  worker?: Worker;
  settings: ClusterSettings;
  schedulingPolicy: number;
  readonly SCHED_NONE: number;
  readonly SCHED_RR: number;
  fork(env?: NodeJS.ProcessEnv): Worker;
  setupPrimary(settings?: ClusterSettings): void;
  setupMaster(settings?: ClusterSettings): void;
  disconnect(callback?: () => void): void;
  /** Internal, worker only (as in Node). */
  _setupWorker?(): void;
  _getServer?(obj: Server, options: ServerQuery, cb: GetServerCallback): void;
}

// NODE: lib/cluster.js checks NODE_UNIQUE_ID once, when first loaded. We
// check our own variable, and keep the object on globalThis, so that the
// bootstrap and the user's `import` get the same cluster even if the module
// is loaded twice (once as ESM, once through require()).
const kCluster = Symbol.for('mini-cluster:cluster');
const store = globalThis as typeof globalThis & { [kCluster]?: Cluster };
store[kCluster] ??= (process.env[WORKER_ID_ENV] !== undefined ? createWorkerCluster() : createPrimary()) as unknown as Cluster;

const cluster: Cluster = store[kCluster];
export default cluster;
export { Worker, SCHED_NONE, SCHED_RR };
export type { ClusterSettings };
