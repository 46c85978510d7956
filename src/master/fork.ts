/**
 * Starting a worker process: child_process.fork() with our bootstrap
 * preloaded, so the worker joins the cluster before any user code runs.
 *
 * Mirrors: createWorkerProcess in lib/internal/cluster/primary.js (Node v20)
 * Read next: src/worker/bootstrap.ts (what the preload does in the worker)
 */
import { fork, type ChildProcess, type ForkOptions, type StdioOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DRAIN_GRACE_ENV, WORKER_ID_ENV } from '../worker.ts';
import type { SchedulerSetting } from './scheduler.ts';

/** cluster.settings, as setupPrimary() fills it in. */
export interface ClusterSettings {
  exec?: string;
  args?: string[];
  execArgv?: string[];
  silent?: boolean;
  stdio?: StdioOptions;
  cwd?: string;
  serialization?: 'json' | 'advanced';
  uid?: number;
  gid?: number;
  windowsHide?: boolean;
  // SIMPLIFIED: inspectPort is accepted but unused: no inspector ports (see README).
  inspectPort?: number | (() => number);
  /**
   * DIVERGENCE (ours, node:cluster has no such setting): how long a leaving
   * worker keeps a silent HTTP keep-alive connection open before closing it
   * (src/worker/drain.ts). Default 1000 ms.
   */
  drainGraceMs?: number;
  /**
   * DIVERGENCE (ours): who gets each connection under SCHED_RR
   * (src/master/scheduler.ts). Default: MINI_CLUSTER_SCHEDULER, else
   * 'round-robin', which is exactly Node's.
   */
  scheduler?: SchedulerSetting;
  /** DIVERGENCE (ours): the most connections the primary queues for nobody yet (round-robin-handle.ts). */
  maxPending?: number;
}

/**
 * Where this module runs from: src/master/fork.ts (under tsx or vitest), or
 * the built dist/index.cjs (the build gives CommonJS an import.meta.url).
 */
const here = import.meta.url;
let preload: string[] | undefined;

/**
 * What a worker's execArgv starts with: our bootstrap, with --require, so it
 * runs synchronously before the main script (src/worker/bootstrap.ts).
 * Built, it is JavaScript: a worker gets exactly the primary's execArgv plus
 * this. From source, it is TypeScript, so tsx's CommonJS hook goes first.
 *
 * NODE: Node needs no preload; its own startup code (pre_execution.js) sees
 * NODE_UNIQUE_ID and sets the worker up. A userland module cannot hook there,
 * and must not use NODE_UNIQUE_ID, which would start Node's own worker code.
 */
export function workerPreload(): string[] {
  if (preload !== undefined) return preload;
  if (here.endsWith('.ts')) {
    const tsxCjs = createRequire(here).resolve('tsx/cjs');
    preload = ['--require', tsxCjs, '--require', fileURLToPath(new URL('../worker/bootstrap.ts', here))];
  } else {
    preload = ['--require', fileURLToPath(new URL('./bootstrap.cjs', here))];
  }
  return preload;
}

/** The worker's execArgv: our preload, then the primary's (by default) or settings.execArgv. */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  return [...workerPreload(), ...execArgv];
}

/**
 * In the worker, once set up: take out exactly what workerExecArgv() put in
 * front, and nothing the user put there themselves.
 */
export function stripWorkerExecArgv(execArgv: string[]): void {
  const added = workerPreload();
  if (added.every((arg, i) => execArgv[i] === arg)) execArgv.splice(0, added.length);
}

export function createWorkerProcess(id: number, env: NodeJS.ProcessEnv | undefined, settings: ClusterSettings): ChildProcess {
  // NODE: the id rides in NODE_UNIQUE_ID; ours has its own name (see above).
  const workerEnv: NodeJS.ProcessEnv = { ...process.env, ...env, [WORKER_ID_ENV]: String(id) };
  if (settings.drainGraceMs !== undefined) workerEnv[DRAIN_GRACE_ENV] = String(settings.drainGraceMs);
  // SIMPLIFIED: no --inspect-port rewriting for workers.
  return fork(settings.exec as string, settings.args ?? [], {
    cwd: settings.cwd,
    env: workerEnv,
    execArgv: workerExecArgv(settings.execArgv ?? []),
    silent: settings.silent,
    stdio: settings.stdio,
    serialization: settings.serialization,
    windowsHide: settings.windowsHide,
    uid: settings.uid,
    gid: settings.gid,
  } as ForkOptions);
}
