/**
 * One cluster primary of `npm run choosing` (mini-cluster from src/, under
 * tsx): N workers of worker.ts on one port, with the scheduler, maxPending
 * and policy it was started with. It answers the orchestrator's commands
 * over its IPC channel: its memory and the listener's queue and refusal
 * counts, a worker leaving (disconnect), a new one forked in its place.
 *
 * Mirrors: nothing — a measuring helper
 * Read next: scripts/choosing/cluster.ts (the orchestrator's side)
 *
 *   env CHOOSING_WORKERS, CHOOSING_WORK, CHOOSING_SCHEDULER, CHOOSING_MAX_PENDING, NODE_CLUSTER_SCHED_POLICY
 *   <= {cmd:'sample'|'stats'|'leave'|'refill'|'stop', id}   => {id, ...answer};  at start => {type:'ready', port, pids}
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cluster, { type Worker } from '../../src/index.ts';
import { handles } from '../../src/master/primary.ts';
import { RoundRobinHandle } from '../../src/master/round-robin-handle.ts';
import type { Request, Reply } from './cluster.ts';

const count = Number(process.env.CHOOSING_WORKERS ?? 4);
const scheduler = process.env.CHOOSING_SCHEDULER || undefined;
const maxPending = process.env.CHOOSING_MAX_PENDING ? Number(process.env.CHOOSING_MAX_PENDING) : undefined;
const send = (message: Reply): void => void process.send!(message);

cluster.setupPrimary({
  exec: path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker.ts'),
  args: [],
  ...(scheduler ? { scheduler } : {}),
  ...(maxPending ? { maxPending } : {}),
} as Parameters<typeof cluster.setupPrimary>[0]);

const workers: Worker[] = [];
let port = 0;

/** Fork one worker; resolves once it listens. */
function forkOne(): Promise<Worker> {
  const worker = cluster.fork({ CHOOSING_WORK: process.env.CHOOSING_WORK ?? '0' });
  return new Promise((resolve) => worker.once('listening', (address: { port: number }) => {
    port = address.port;
    resolve(worker);
  }));
}

/** The one listener's queue and what it closed (RoundRobinHandle, ScheduledHandle; reuseport has neither). */
function listenerCounts(): { pending: number; overflow: number; refusedByAll: number } {
  const handle = [...handles.values()][0];
  if (!(handle instanceof RoundRobinHandle)) return { pending: 0, overflow: 0, refusedByAll: 0 };
  return { pending: handle.queues().handles, overflow: handle.closed.overflow, refusedByAll: handle.closed.refusedByAll };
}

// RSS, sampled every 10 ms between 'sample' commands (a burst of accepts is short).
let peak = 0;
setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10).unref();

process.on('message', async (request: Request) => {
  if (request.cmd === 'sample') {
    const rss = process.memoryUsage.rss();
    send({ id: request.id, rss, peak: Math.max(peak, rss), ...listenerCounts() });
    peak = rss; // the next sample's peak starts here
  } else if (request.cmd === 'leave') {
    const worker = workers.splice(request.index, 1)[0]!;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.disconnect(); // graceful: its server closes, then it exits
    await exited;
    send({ id: request.id, pid: worker.process.pid! });
  } else if (request.cmd === 'refill') {
    const worker = await forkOne();
    workers.push(worker);
    send({ id: request.id, pid: worker.process.pid! });
  } else if (request.cmd === 'stop') {
    for (const w of workers) w.process.kill('SIGKILL');
    process.exit(0);
  }
});
// The orchestrator went away: take the workers along.
process.on('disconnect', () => {
  for (const w of workers) w.process.kill('SIGKILL');
  process.exit(1);
});

workers.push(...(await Promise.all(Array.from({ length: count }, forkOne))));
send({ type: 'ready', port, pids: workers.map((w) => w.process.pid!), policy: cluster.schedulingPolicy });
