/**
 * Starting a worker process: child_process.fork() with our bootstrap
 * preloaded, so the worker joins the cluster before any user code runs.
 *
 * Mirrors: createWorkerProcess in lib/internal/cluster/primary.js (Node v20)
 * Read next: src/worker/bootstrap.ts (what the preload does in the worker)
 */
import { fork, type ChildProcess, type ForkOptions, type StdioOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { WORKER_ID_ENV } from '../worker.ts';

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
}

// The preload that sets up the worker side. It is TypeScript, so a worker
// needs a TypeScript loader before it: tsx, found next to our own install.
const BOOTSTRAP_URL = new URL('../worker/bootstrap.ts', import.meta.url).href;
const TSX_LOADER_URL = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * The worker's execArgv: the primary's (by default), so `tsx` and flags keep
 * working, then our bootstrap.
 *
 * NODE: Node needs no preload; its own startup code (pre_execution.js) sees
 * NODE_UNIQUE_ID and sets the worker up. A userland module cannot hook there,
 * and must not use NODE_UNIQUE_ID, which would start Node's own worker code.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const hasTsLoader = execArgv.some((arg) => arg.includes('tsx'));
  const loader = hasTsLoader ? [] : ['--import', TSX_LOADER_URL];
  return [...execArgv, ...loader, '--import', BOOTSTRAP_URL];
}

/**
 * In the worker, once set up: take back what workerExecArgv() appended, so
 * `process.execArgv` reads as under node:cluster and grandchildren (which
 * inherit execArgv) do not load our bootstrap for nothing.
 */
export function stripWorkerExecArgv(execArgv: string[]): void {
  const endsWith = (url: string): boolean => execArgv.at(-2) === '--import' && execArgv.at(-1) === url;
  if (endsWith(BOOTSTRAP_URL)) execArgv.splice(-2);
  if (endsWith(TSX_LOADER_URL)) execArgv.splice(-2);
}

export function createWorkerProcess(id: number, env: NodeJS.ProcessEnv | undefined, settings: ClusterSettings): ChildProcess {
  // NODE: the id rides in NODE_UNIQUE_ID; ours has its own name (see above).
  const workerEnv = { ...process.env, ...env, [WORKER_ID_ENV]: String(id) };
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
