/**
 * A worker leaves under load: churn lanes from many local addresses, and in
 * the middle one worker of four disconnects (gracefully: it closes its
 * server, finishes what it holds, exits). Under round robin the primary
 * holds the one queue, and the worker's in-flight newconn is refused back
 * to it: nothing is lost. Under reuseport each worker has its own socket and
 * accept queue in the kernel; closing it resets the connections still in it
 * (unless net.ipv4.tcp_migrate_req is 1), and those clients see ECONNRESET.
 *
 * Mirrors: nothing — a measuring helper
 * Read next: src/master/reuseport-handle.ts (the price, in its header)
 *
 *   load(32 lanes) for 0.4 s => leave(w2) => load on for 0.4 s => stop: ok, failed by kind => refill
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { loopbackSources } from '../compare/churn-client.ts';
import type { Cluster } from './cluster.ts';
import { load } from './clients.ts';

export interface LeaveRun { ok: number; failed: Map<string, number>; resets: number }

/** net.ipv4.tcp_migrate_req: 1 moves a closing reuseport socket's queue to another; 0 (the default) resets it. */
export function migrateReq(): string {
  try {
    return readFileSync('/proc/sys/net/ipv4/tcp_migrate_req', 'utf8').trim();
  } catch {
    return 'not available';
  }
}

export async function leaveOnce(cluster: Cluster, lanes = 32, msBefore = 400, msAfter = 400): Promise<LeaveRun> {
  const running = load(cluster.port, lanes, loopbackSources(lanes));
  await sleep(msBefore);
  await cluster.leave(1);
  await sleep(msAfter);
  const result = await running.stop();
  await cluster.refill(); // four workers again for the next run
  return { ...result, resets: result.failed.get('ECONNRESET') ?? 0 };
}
