// One set-up of the comparison: a cluster primary (mini-cluster or
// node:cluster, policy from NODE_CLUSTER_SCHED_POLICY) that forks the worker
// program and measures each run between a 'begin' and an 'end' command.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/launcher.ts (who starts this file and reads its reports)
//
// Usage: node out/plain-node/compare/primary.mjs --impl mini-cluster|node:cluster
//          --workers N --work N   (commands arrive on fd 3 as JSON lines)
// The launcher runs this file compiled to JavaScript on plain node
// (scripts/lib/plain-node.ts), so both clusters start their workers as a
// user's program would: no TypeScript loader anywhere.

import { Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { memoryAfterGc } from './gc.ts';
import { loadCluster, type WorkerLike } from './impls.ts';
import { procAvailable, voluntaryCtxtSwitches } from './proc.ts';
import { readLines, STATS, writeLine, type Command, type Impl, type PrimaryFigures, type Report, type WorkerCounts } from './protocol.ts';
import { toMiB } from './stats.ts';
import { siblingProgram } from '../lib/plain-node.ts';

const { values } = parseArgs({
  options: { impl: { type: 'string' }, workers: { type: 'string' }, work: { type: 'string' } },
});
const impl = values.impl as Impl;
const workerCount = Number(values.workers ?? '2');
const STATS_TIMEOUT_MS = 5_000;
const LISTEN_TIMEOUT_MS = 20_000;
const SETTLE_MS = 20;

const channel = new Socket({ fd: 3, readable: true, writable: true });
const report = (message: Report) => writeLine(channel, message);

const cluster = await loadCluster(impl);
// args: [] so the workers do not inherit this program's own --impl/--workers flags.
cluster.setupPrimary({ exec: siblingProgram(import.meta.url, 'worker.ts'), args: [] });

// Replies to stats requests, matched by seq.
let nextSeq = 1;
const waiting = new Map<number, (counts: WorkerCounts) => void>();
let stopping = false;

// Start-up: from the first fork() to the last worker's 'listening'.
const forkedAt = performance.now();
const workers: WorkerLike[] = [];
for (let i = 0; i < workerCount; i++) {
  const worker = cluster.fork({ COMPARE_WORK: values.work ?? '0' });
  worker.on('message', (message: { type?: string; seq?: number; counts?: WorkerCounts }) => {
    if (message?.type === STATS && message.seq !== undefined && message.counts) {
      waiting.get(message.seq)?.(message.counts);
      waiting.delete(message.seq);
    }
  });
  worker.on('exit', (code, signal) => {
    if (!stopping) report({ type: 'worker-exit', pid: worker.process.pid ?? -1, code, signal });
  });
  workers.push(worker);
}

function askCounts(worker: WorkerLike): Promise<WorkerCounts> {
  return new Promise((resolve, reject) => {
    const seq = nextSeq++;
    const timer = setTimeout(() => {
      waiting.delete(seq);
      reject(new Error(`worker ${worker.process.pid} did not report its counts within ${STATS_TIMEOUT_MS} ms`));
    }, STATS_TIMEOUT_MS);
    waiting.set(seq, (counts) => {
      clearTimeout(timer);
      resolve(counts);
    });
    worker.send({ type: STATS, seq });
  });
}

/** Counters at 'begin', kept until the matching 'end'. */
interface Snapshot {
  counts: WorkerCounts[];
  ctxt: (number | null)[];
  cpu: NodeJS.CpuUsage;
  startedAt: number;
  rssSamples: { at: number; rss: number }[];
  sampler: NodeJS.Timeout;
}
let snapshot: Snapshot | undefined;

async function begin(): Promise<void> {
  // Ask the workers first, then read /proc: the IPC round trip itself wakes
  // each worker, and that wakeup must fall outside the measured window.
  const counts = await Promise.all(workers.map(askCounts));
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS)); // let them go back to sleep
  const ctxt = workers.map((w) => voluntaryCtxtSwitches(w.process.pid!));
  const rssSamples = [{ at: performance.now(), rss: process.memoryUsage.rss() }];
  const sampler = setInterval(() => rssSamples.push({ at: performance.now(), rss: process.memoryUsage.rss() }), 50);
  snapshot = { counts, ctxt, cpu: process.cpuUsage(), startedAt: performance.now(), rssSamples, sampler };
}

async function end(): Promise<PrimaryFigures> {
  if (!snapshot) throw new Error("'end' arrived without a 'begin'");
  const start = snapshot;
  snapshot = undefined;
  // Mirror image of begin(): read /proc before the IPC round trip.
  const cpu = process.cpuUsage(start.cpu);
  const ctxt = workers.map((w) => voluntaryCtxtSwitches(w.process.pid!));
  clearInterval(start.sampler);
  const endedAt = performance.now();
  start.rssSamples.push({ at: endedAt, rss: process.memoryUsage.rss() });
  const counts = await Promise.all(workers.map(askCounts));
  const midpoint = (start.startedAt + endedAt) / 2;
  const middle = start.rssSamples.reduce((a, b) => (Math.abs(b.at - midpoint) < Math.abs(a.at - midpoint) ? b : a));
  return {
    workers: counts.map((c, i) => ({
      pid: c.pid,
      connections: c.connections - start.counts[i]!.connections,
      requests: c.requests - start.counts[i]!.requests,
      voluntaryCtxtSwitches: ctxt[i] == null || start.ctxt[i] == null ? null : ctxt[i]! - start.ctxt[i]!,
      rssMiB: toMiB(c.rssBytes),
      rssAfterGcMiB: toMiB(c.rssAfterGcBytes),
      heapUsedAfterGcMiB: toMiB(c.heapUsedAfterGcBytes),
    })),
    primaryCpuUs: { user: cpu.user, system: cpu.system },
    primaryRssMiB: {
      start: toMiB(start.rssSamples[0]!.rss),
      middle: toMiB(middle.rss),
      end: toMiB(start.rssSamples.at(-1)!.rss),
      peak: toMiB(Math.max(...start.rssSamples.map((s) => s.rss))),
    },
    primaryRssAfterGcMiB: toMiB(memoryAfterGc().rssBytes),
    elapsedMs: endedAt - start.startedAt,
  };
}

/** Kills every worker by pid, waits up to 2 s for them to go, then exits. */
async function stop(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const pids = workers.map((w) => w.process.pid).filter((pid): pid is number => pid !== undefined);
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + 2_000;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const pid of pids.filter(isAlive)) signal(pid, 'SIGKILL');
  process.exit(exitCode);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

process.on('SIGINT', () => void stop(130));
process.on('SIGTERM', () => void stop(143));
// The orchestrator went away: nobody will ever send 'stop'.
channel.on('close', () => void stop(1));
channel.on('error', () => void stop(1));

readLines<Command>(channel, (command) => {
  const fail = (error: unknown) => report({ type: 'failed', message: String((error as Error)?.message ?? error) });
  if (command.cmd === 'begin') begin().then(() => report({ type: 'begun', id: command.id }), fail);
  else if (command.cmd === 'end') end().then((figures) => report({ type: 'ended', id: command.id, figures }), fail);
  else if (command.cmd === 'stop') void stop(0);
});

// Ready once every worker is listening; all share one port (listen(0) under a cluster).
const ports = new Set<number>();
let listening = 0;
const listenTimer = setTimeout(() => {
  report({ type: 'failed', message: `only ${listening} of ${workerCount} workers listened within ${LISTEN_TIMEOUT_MS} ms` });
  void stop(1);
}, LISTEN_TIMEOUT_MS);
cluster.on('listening', (_worker, address) => {
  ports.add(address.port);
  if (++listening < workerCount) return;
  clearTimeout(listenTimer);
  if (ports.size !== 1) {
    report({ type: 'failed', message: `workers listened on different ports: ${[...ports].join(', ')}` });
    return void stop(1);
  }
  const workerPids = workers.map((w) => w.process.pid!);
  const startupMs = performance.now() - forkedAt;
  // The scheduler the cluster really uses (mini-cluster's setting; node:cluster has none).
  const setting = (cluster as { settings?: { scheduler?: unknown } }).settings?.scheduler;
  const scheduler = typeof setting === 'string' && setting !== 'round-robin' ? setting : undefined;
  report({ type: 'ready', port: [...ports][0]!, primaryPid: process.pid, workerPids, schedulingPolicy: cluster.schedulingPolicy, proc: procAvailable(), startupMs, scheduler });
});
