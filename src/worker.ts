/**
 * The Worker object, shared by both sides: in the primary it wraps the
 * ChildProcess, in a worker it wraps the global `process`.
 *
 * Mirrors: lib/internal/cluster/worker.js (Node v20)
 * Read next: src/master/primary.ts (fork) and src/worker/child.ts (_setupWorker)
 */
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';

/**
 * Tells a process it is a worker, and its id. NODE: Node uses NODE_UNIQUE_ID,
 * but any child that has it and an IPC channel starts Node's own worker code,
 * so we need a name of our own. The bootstrap deletes it once set up.
 */
export const WORKER_ID_ENV = 'MINI_CLUSTER_UNIQUE_ID';
/** setupPrimary({ drainGraceMs }) on its way to the worker (src/worker/drain.ts). */
export const DRAIN_GRACE_ENV = 'MINI_CLUSTER_DRAIN_GRACE_MS';

export type WorkerState =
  | 'none' | 'online' | 'listening' | 'disconnected' | 'dead' // primary side
  | 'disconnecting' | 'destroying'; // worker side

/**
 * The process a Worker stands for: a ChildProcess in the primary, the
 * worker's own global `process` inside a worker. Typed as ChildProcess, as
 * @types/node types node:cluster's Worker, so TypeScript programs drop in.
 */
export type WorkerProcess = ChildProcess;

export interface WorkerOptions {
  id?: number;
  process?: WorkerProcess;
  state?: WorkerState;
}

export interface Worker extends EventEmitter {
  /** The id the primary gave this worker: 1, 2, 3, ... never reused. */
  id: number;
  /** ChildProcess (primary side) or the global process (worker side). */
  process: WorkerProcess;
  /** Informational only: 'none' → 'online' → 'listening' → 'disconnected' → 'dead'. */
  state: WorkerState;
  /** True once the worker leaves on purpose (disconnect, or kill from inside). */
  exitedAfterDisconnect: boolean | undefined;
  /** Send a user message (and optionally a handle) to the other side. */
  send(message: unknown, sendHandle?: unknown, options?: unknown, callback?: (error: Error | null) => void): boolean;
  /** Primary side: stop routing to it and ask it to leave. Worker side: close servers, then leave. */
  disconnect(): this;
  /** Primary side: a plain signal (default SIGTERM). Worker side: leave now. */
  destroy(signal?: NodeJS.Signals | number): void;
  kill(signal?: NodeJS.Signals | number): void;
  isDead(): boolean;
  isConnected(): boolean;
}

export interface WorkerConstructor {
  new (options?: WorkerOptions): Worker;
  (options?: WorkerOptions): Worker;
  readonly prototype: Worker;
}

/**
 * NODE: a plain function, not a class, as in worker.js: `Worker(options)`
 * without `new` returns a new Worker, and options and process are optional.
 * (So `Worker.call(obj, { id: 5 })` makes a new Worker and leaves obj alone.)
 */
export const Worker = function Worker(this: unknown, options?: WorkerOptions): Worker | void {
  if (!(this instanceof Worker)) return new (Worker as unknown as WorkerConstructor)(options);
  const self = this as Worker;
  EventEmitter.call(self);
  if (options === null || typeof options !== 'object') options = {};
  self.exitedAfterDisconnect = undefined;
  self.state = options.state || 'none';
  self.id = (options.id as number) | 0;
  if (options.process) {
    self.process = options.process;
    // The Worker re-emits its process's 'error' and 'message'.
    self.process.on('error', (code: unknown, signal: unknown) => self.emit('error', code, signal));
    self.process.on('message', (message: unknown, handle: unknown) => self.emit('message', message, handle));
  }
} as unknown as WorkerConstructor;

Object.setPrototypeOf(Worker.prototype, EventEmitter.prototype);
Object.setPrototypeOf(Worker, EventEmitter);

// `disconnect` and `destroy` differ between the sides. NODE: primary.js and
// child.js each assign them to Worker.prototype, and only one of the two is
// ever loaded. src/index.ts assigns the chosen side's pair (setWorkerSide).

Worker.prototype.kill = function kill(this: Worker, signal?: NodeJS.Signals | number): void {
  this.destroy(signal);
};

Worker.prototype.send = function send(this: Worker, ...args: unknown[]): boolean {
  return (this.process.send as (...a: unknown[]) => boolean).apply(this.process, args);
};

Worker.prototype.isDead = function isDead(this: Worker): boolean {
  return this.process.exitCode != null || this.process.signalCode != null;
};

Worker.prototype.isConnected = function isConnected(this: Worker): boolean {
  return this.process.connected;
};

/** What differs between the two sides: primary.ts and child.ts each export one. */
export interface WorkerSide {
  disconnect(this: Worker): Worker;
  destroy(this: Worker, signal?: NodeJS.Signals | number): void;
}

/** Called once, by src/index.ts, with the side this process plays. */
export function setWorkerSide(side: WorkerSide): void {
  Worker.prototype.disconnect = side.disconnect;
  Worker.prototype.destroy = side.destroy;
}
