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

export type WorkerState =
  | 'none' | 'online' | 'listening' | 'disconnected' | 'dead' // primary side
  | 'disconnecting' | 'destroying'; // worker side

/**
 * The process a Worker stands for: a ChildProcess in the primary, the
 * worker's own global `process` inside a worker. Typed as ChildProcess, as
 * @types/node types node:cluster's Worker, so TypeScript programs drop in.
 */
export type WorkerProcess = ChildProcess;

/**
 * What differs between the two sides. Node assigns `Worker.prototype.disconnect`
 * and `destroy` in primary.js or child.js, whichever was loaded; we pass them
 * in, so both modules can live in one program without overwriting each other.
 */
export interface WorkerSide {
  disconnect(worker: Worker): void;
  destroy(worker: Worker, signal?: NodeJS.Signals | number): void;
}

export class Worker extends EventEmitter {
  /** The id the primary gave this worker: 1, 2, 3, ... never reused. */
  id: number;
  /** ChildProcess (primary side) or the global process (worker side). */
  process: WorkerProcess;
  /** Informational only: 'none' → 'online' → 'listening' → 'disconnected' → 'dead'. */
  state: WorkerState;
  /** True once the worker leaves on purpose (disconnect, or kill from inside). */
  exitedAfterDisconnect: boolean | undefined = undefined;
  readonly #side: WorkerSide;

  constructor(options: { id: number; process: WorkerProcess; state?: WorkerState }, side: WorkerSide) {
    super();
    this.id = options.id | 0;
    this.process = options.process;
    this.state = options.state ?? 'none';
    this.#side = side;
    // NODE: the constructor re-emits the process's 'message' and 'error'.
    this.process.on('message', (message, handle) => this.emit('message', message, handle));
    this.process.on('error', (err) => this.emit('error', err));
  }

  /** Send a user message (and optionally a handle) to the other side. */
  send(...args: unknown[]): boolean {
    const send = this.process.send as ((...a: unknown[]) => boolean) | undefined;
    if (send === undefined) throw new Error('The worker has no IPC channel');
    return send.apply(this.process, args);
  }

  /** Primary side: stop routing to it and ask it to leave. Worker side: close servers, then leave. */
  disconnect(): this {
    this.#side.disconnect(this);
    return this;
  }

  /** Primary side: a plain signal (default SIGTERM). Worker side: leave now. */
  destroy(signal?: NodeJS.Signals | number): void {
    this.#side.destroy(this, signal);
  }

  kill(signal?: NodeJS.Signals | number): void {
    this.destroy(signal);
  }

  isDead(): boolean {
    const proc = this.process as { exitCode?: number | null; signalCode?: string | null };
    return proc.exitCode != null || proc.signalCode != null;
  }

  isConnected(): boolean {
    return this.process.connected === true;
  }
}
