/**
 * Supervision on top of any cluster object: respawn with backoff, crash-loop
 * cap, rolling restart, graceful shutdown, health and readiness. It uses
 * only the public cluster API, so it takes `node:cluster` as well as ours.
 *
 * Mirrors: nothing — the patterns of PM2 and of the articles in docs/sources.md
 * Read next: src/supervisor/supervisor.ts, then rolling.ts, lifecycle.ts, health.ts
 *
 *   // primary                                  // worker
 *   import cluster from 'mini-cluster';          import { reportHealth } from '.../supervisor/health.ts';
 *   const sup = await supervise(cluster,         const server = http.createServer(app).listen(8080);
 *     { workers: 4, maxRssBytes: 512 << 20 });   reportHealth(server);
 *   sup.stats(); // kill -USR2 <pid> reloads, kill -TERM <pid> shuts down
 */
import { Supervisor } from './supervisor.ts';
import type { SupervisorOptions } from './options.ts';
import type { ClusterLike } from './protocol.ts';

/** Create a supervisor, fork its workers and wait until each first worker is ready (or failed). */
export async function supervise(cluster: ClusterLike, options: SupervisorOptions): Promise<Supervisor> {
  const supervisor = new Supervisor(cluster, options);
  await supervisor.start();
  return supervisor;
}

export { Supervisor };
export { reportHealth, signalReady, deferSigintToPrimary, type HealthReporter } from './health.ts';
export type { SupervisorOptions, WorkerStats, Replacement, ShutdownResult, ForkReason } from './options.ts';
export type { Readiness, ReadyGate } from './lifecycle.ts';
export type { ClusterLike, WorkerLike, HealthReport } from './protocol.ts';
export { backoffDelay, CrashHistory } from './backoff.ts';
