// Starts one set-up (impl × policy × scheduler) as its own primary process and drives it:
// 'begin' and 'end' around each run, 'stop' at the end. Keeps every pid it
// learns so that nothing outlives the comparison, even on errors or Ctrl-C.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/runner.ts (who decides what runs when)

import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileForPlainNode } from '../lib/plain-node.ts';
import { readLines, writeLine, type Impl, type Policy, type PrimaryFigures, type Report, type Scheduler } from './protocol.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
// primary.ts and worker.ts, compiled for plain node. Inside the repository,
// their import of 'mini-cluster' resolves to the built dist/ (npm run build).
const COMPILED = path.join(REPO_ROOT, 'out/plain-node/compare');
/** One compiled copy per build of the package the primaries load (trace-cost uses two). */
const compiled = new Map<string, Promise<string>>();
const READY_TIMEOUT_MS = 40_000;
const REPLY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 3_000;

export interface SetUpOptions {
  impl: Impl;
  policy: Policy;
  /** mini-cluster under rr: passed as MINI_CLUSTER_SCHEDULER (setupPrimary()'s default); round-robin passes none. */
  scheduler?: Scheduler | null;
  workers: number;
  work: number;
  /** Extra environment for the primary (and so its workers), e.g. NODE_OPTIONS. */
  env?: NodeJS.ProcessEnv;
  /** A build of the package other than dist/ (scripts/build.ts buildJs), for mini-cluster set-ups. */
  packageDir?: string;
}

/** Every primary ever started, so they can all be stopped on the way out. */
const started = new Set<PrimaryProcess>();

export class PrimaryProcess {
  readonly label: string;
  port = 0;
  primaryPid: number;
  workerPids: number[] = [];
  schedulingPolicy = 0; // as the cluster under test reported it: 1 none, 2 rr
  proc = false; // whether /proc figures are available
  startupMs = 0; // from the first fork() to the last worker listening
  /** Why this primary can no longer be trusted (a worker died, the primary exited...). */
  failure: string | undefined;

  private readonly child: ChildProcess;
  private readonly channel: Socket;
  private readonly replies = new Map<number | 'ready', { resolve(r: Report): void; reject(e: Error): void }>();
  private nextId = 1;

  private constructor(readonly options: SetUpOptions, primaryFile: string) {
    this.label = setUpLabel(options);
    // undefined: not inherited from the caller's environment either (spawn leaves undefined values out).
    const scheduler = { MINI_CLUSTER_SCHEDULER: options.scheduler && options.scheduler !== 'round-robin' ? options.scheduler : undefined };
    this.child = spawn(
      process.execPath,
      [primaryFile, '--impl', options.impl, '--workers', String(options.workers), '--work', String(options.work)],
      { cwd: REPO_ROOT, env: { ...process.env, ...options.env, NODE_CLUSTER_SCHED_POLICY: options.policy, ...scheduler }, stdio: ['ignore', 'inherit', 'inherit', 'pipe'] },
    );
    this.primaryPid = this.child.pid ?? -1;
    this.channel = this.child.stdio[3] as Socket;
    readLines<Report>(this.channel, (report) => this.onReport(report));
    this.channel.on('error', (error) => this.fail(`pipe to the primary failed: ${error.message}`));
    this.child.on('exit', (code, signal) => this.fail(`primary exited (code ${code}, signal ${signal})`));
    started.add(this);
  }

  /** Spawns the primary and waits until all its workers listen on one port. */
  static async start(options: SetUpOptions): Promise<PrimaryProcess> {
    const key = options.packageDir ?? '';
    if (!compiled.has(key)) {
      const outdir = key === '' ? COMPILED : `${COMPILED}-${path.basename(key)}`;
      compiled.set(key, compileForPlainNode([path.join(HERE, 'primary.ts'), path.join(HERE, 'worker.ts')], HERE, outdir, options.packageDir).then(() => path.join(outdir, 'primary.mjs')));
    }
    const primary = new PrimaryProcess(options, await compiled.get(key)!);
    const ready = await primary.waitFor('ready', READY_TIMEOUT_MS);
    if (ready.type !== 'ready') throw new Error(`${primary.label}: unexpected ${ready.type}`);
    Object.assign(primary, { port: ready.port, workerPids: ready.workerPids, schedulingPolicy: ready.schedulingPolicy, proc: ready.proc, startupMs: ready.startupMs });
    const expected = { rr: 2, none: 1, reuseport: 3 }[options.policy];
    if (ready.schedulingPolicy !== expected) {
      throw new Error(`${primary.label}: cluster.schedulingPolicy is ${ready.schedulingPolicy}, expected ${expected} from NODE_CLUSTER_SCHED_POLICY=${options.policy}`);
    }
    const scheduler = options.scheduler && options.scheduler !== 'round-robin' ? options.scheduler : undefined;
    if (ready.scheduler !== scheduler) throw new Error(`${primary.label}: the primary runs scheduler ${ready.scheduler ?? 'round-robin'}, expected ${scheduler ?? 'round-robin'}`);
    return primary;
  }

  async begin(): Promise<void> {
    const id = this.nextId++;
    writeLine(this.channel, { cmd: 'begin', id });
    await this.waitFor(id, REPLY_TIMEOUT_MS);
  }

  async end(): Promise<PrimaryFigures> {
    const id = this.nextId++;
    writeLine(this.channel, { cmd: 'end', id });
    const reply = await this.waitFor(id, REPLY_TIMEOUT_MS);
    if (reply.type !== 'ended') throw new Error(`${this.label}: unexpected ${reply.type}`);
    return reply.figures;
  }

  /** Asks the primary to stop its workers and exit; kills by pid whatever is left after a grace period. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      if (!this.channel.destroyed) writeLine(this.channel, { cmd: 'stop' });
      const timer = setTimeout(() => kill(this.primaryPid), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    this.killNow();
    started.delete(this);
  }

  /** Synchronous last resort: SIGKILL the primary and every worker pid it reported. */
  killNow(): void {
    for (const pid of [this.primaryPid, ...this.workerPids]) kill(pid);
    this.channel.destroy();
  }

  private waitFor(key: number | 'ready', timeoutMs: number): Promise<Report> {
    if (this.failure) return Promise.reject(new Error(`${this.label}: ${this.failure}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(key);
        reject(new Error(`${this.label}: no reply to ${key} within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = (fn: () => void) => { clearTimeout(timer); this.replies.delete(key); fn(); };
      this.replies.set(key, { resolve: (r) => settle(() => resolve(r)), reject: (e) => settle(() => reject(e)) });
    });
  }

  private onReport(report: Report): void {
    if (report.type === 'worker-exit') return this.fail(`worker ${report.pid} exited (code ${report.code}, signal ${report.signal})`);
    if (report.type === 'failed') return this.fail(report.message);
    if (report.type === 'ready') this.workerPids = report.workerPids;
    this.replies.get(report.type === 'ready' ? 'ready' : report.id)?.resolve(report);
  }

  private fail(reason: string): void {
    this.failure ??= reason;
    for (const waiter of [...this.replies.values()]) waiter.reject(new Error(`${this.label}: ${reason}`));
  }
}

/** "mini-cluster rr", or with a scheduler other than round robin "mini-cluster rr/least-connections". */
export function setUpLabel(s: { impl: Impl; policy: Policy; scheduler?: Scheduler | null }): string {
  return `${s.impl} ${s.policy}${s.scheduler && s.scheduler !== 'round-robin' ? `/${s.scheduler}` : ''}`;
}

/** Stops every primary still running, in parallel. */
export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((p) => p.stop()));
}

/** For process 'exit' handlers, where nothing asynchronous can run. */
export function killAllNow(): void {
  for (const primary of started) primary.killNow();
}

function kill(pid: number): void {
  if (pid <= 0) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
