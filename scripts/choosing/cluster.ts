/**
 * The orchestrator's side of one cluster in `npm run choosing`: start
 * primary.ts with a scheduler, maxPending or policy, ask it things over its
 * IPC channel, stop it. Every pid it learns (primary and workers) is kept,
 * and killed on the way out, whatever happens.
 *
 * Mirrors: nothing — a measuring helper
 * Read next: scripts/choosing/primary.ts (the other end), scripts/choosing/main.ts
 *
 *   Cluster.start({ scheduler, maxPending, policy }) => fork primary.ts => {type:'ready', port, pids}
 *   cluster.sample() / leave(i) / refill() => {cmd, id} => {id, ...}
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Request =
  | { cmd: 'sample'; id: number } // memory now and its peak since the last sample, with the listener's counts
  | { cmd: 'leave'; id: number; index: number } // disconnect that worker; answer once it exited
  | { cmd: 'refill'; id: number } // fork one more; answer once it listens
  | { cmd: 'stop' };

export interface Sample { rss: number; peak: number; pending: number; overflow: number; refusedByAll: number }
export type Reply =
  | { type: 'ready'; port: number; pids: number[]; policy: number }
  | ({ id: number } & Sample)
  | { id: number; pid: number };

const PRIMARY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'primary.ts');
const every = new Set<Cluster>();

export interface ClusterOptions {
  label?: string;
  scheduler?: string;
  maxPending?: number;
  policy?: 'rr' | 'reuseport';
  workers?: number;
  work?: number;
}

export class Cluster {
  port = 0;
  pids: number[] = [];
  readonly label: string;
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  private nextId = 1;

  private constructor(options: ClusterOptions) {
    this.label = options.label ?? options.scheduler ?? options.policy ?? 'round-robin';
    this.child = fork(PRIMARY, [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env, MINI_CLUSTER_SCHEDULER: undefined, MINI_CLUSTER_TRACE: undefined,
        NODE_CLUSTER_SCHED_POLICY: options.policy ?? 'rr', CHOOSING_WORKERS: String(options.workers ?? 4),
        CHOOSING_WORK: String(options.work ?? 0), CHOOSING_SCHEDULER: options.scheduler ?? '',
        CHOOSING_MAX_PENDING: options.maxPending ? String(options.maxPending) : '',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (reply: Reply) => {
      const id = 'type' in reply ? 0 : reply.id;
      if ('pid' in reply && !this.pids.includes(reply.pid)) this.pids.push(reply.pid);
      this.waiting.get(id)?.resolve(reply);
      this.waiting.delete(id);
    });
    this.child.on('exit', (code, signal) => {
      for (const w of this.waiting.values()) w.reject(new Error(`${this.label}: primary exited (code ${code}, signal ${signal})`));
      this.waiting.clear();
    });
    every.add(this);
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    const c = new Cluster(options);
    const ready = (await c.ask(0, undefined, 60_000)) as Extract<Reply, { type: 'ready' }>;
    c.port = ready.port;
    c.pids = [ready.pids, c.child.pid!].flat();
    return c;
  }

  /** The worker pids (the primary's is last in `pids` until workers are replaced). */
  get workerPids(): number[] {
    return this.pids.filter((pid) => pid !== this.child.pid);
  }

  sample(): Promise<Sample> {
    return this.ask(this.nextId++, (id) => ({ cmd: 'sample', id })) as Promise<Sample>;
  }

  /** Disconnect worker `index` (in fork order among those still there); resolves with its pid once it exited. */
  async leave(index: number): Promise<number> {
    return ((await this.ask(this.nextId++, (id) => ({ cmd: 'leave', id, index }))) as { pid: number }).pid;
  }

  /** Fork a worker to take the place of one that left; resolves once it listens. */
  async refill(): Promise<number> {
    return ((await this.ask(this.nextId++, (id) => ({ cmd: 'refill', id }))) as { pid: number }).pid;
  }

  /** Ask the primary to stop, then SIGKILL every pid we know, whether it did or not, and wait until all are gone. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      if (this.child.connected) this.child.send({ cmd: 'stop' } satisfies Request);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
    }
    this.killNow();
    for (let i = 0; i < 100 && this.pids.some(running); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    every.delete(this);
  }

  killNow(): void {
    for (const pid of this.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }

  private ask(id: number, request: ((id: number) => Request) | undefined, timeoutMs = 20_000): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label}: no answer to ${request ? request(id).cmd : 'start'} within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(id, {
        resolve: (reply) => (clearTimeout(timer), resolve(reply)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      if (request) this.child.send(request(id));
    });
  }
}

/** Whether `pid` still runs: it exists and is not a zombie (an exited child nobody has reaped yet). */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: signal 0 is all we know
  }
}

/** For 'exit' handlers: SIGKILL every primary and worker still known. */
export function killEveryCluster(): void {
  for (const c of every) c.killNow();
}
