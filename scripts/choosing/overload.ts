/**
 * Overload with and without maxPending: every worker is stopped (SIGSTOP,
 * as if each were stuck in a long computation), then thousands of clients
 * connect at once. The primary accepts them all; without a bound it holds
 * each one for a worker that does not come, and its memory grows with the
 * queue; with maxPending it closes those past the bound at once (counted).
 * Then the workers go on (SIGCONT) and serve whatever waited for them.
 *
 * Mirrors: nothing — a measuring helper
 * Read next: src/master/round-robin-handle.ts (distribute, maxPending)
 *
 *   SIGSTOP workers => flood n => primary: queue, or close past maxPending => peak RSS
 *   => SIGCONT => served, refused (closed unanswered / reset) by the client's count and the primary's
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { loopbackSources } from '../compare/churn-client.ts';
import type { Cluster, Sample } from './cluster.ts';
import { flood, type Outcome } from './clients.ts';

export interface OverloadRun {
  offered: number;
  startRss: number; // bytes, before the flood
  peakRss: number; // the highest sample (every 10 ms) while the connections came and waited
  queuedAtPeak: number; // the listener's queue when every connection had arrived
  overflow: number; // closed by the primary: over maxPending
  outcomes: Map<Outcome, number>;
}

const signal = (pids: number[], name: NodeJS.Signals): void => {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // gone
    }
  }
};

/** One overload run; the workers are running again when it returns, whatever happened. */
export async function overloadOnce(cluster: Cluster, offered: number): Promise<OverloadRun> {
  const before = await cluster.sample();
  const sources = loopbackSources(offered >= 4000 ? 64 : 16);
  const workers = cluster.workerPids;
  signal(workers, 'SIGSTOP');
  let arrived: Sample;
  let outcomes: Map<Outcome, number>;
  let peak = before.rss; // each sample's peak covers the time since the one before
  try {
    const { opened, done } = flood(cluster.port, offered, sources, 20_000);
    await opened;
    // Wait until the primary has taken every connection off the kernel's backlog
    // (queued or closed; the workers hold one each in flight), or 5 s at most.
    const deadline = Date.now() + 5_000;
    for (;;) {
      arrived = await cluster.sample();
      peak = Math.max(peak, arrived.peak);
      if (arrived.pending + arrived.overflow + workers.length >= offered || Date.now() > deadline) break;
      await sleep(50);
    }
    signal(workers, 'SIGCONT');
    outcomes = await done;
  } finally {
    signal(workers, 'SIGCONT');
  }
  const after = await cluster.sample();
  return {
    offered, startRss: before.rss, peakRss: Math.max(peak, after.peak), queuedAtPeak: arrived!.pending,
    overflow: after.overflow - before.overflow, outcomes: outcomes!,
  };
}
