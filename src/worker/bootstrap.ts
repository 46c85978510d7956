/**
 * The preload every worker starts with (`--require .../bootstrap`): it sets
 * up the worker side before the user's script runs, so even a script that
 * never imports mini-cluster joins the cluster when it calls listen().
 *
 * Mirrors: initializeClusterIPC() in lib/internal/process/pre_execution.js (Node v20)
 * Read next: src/worker/child.ts (_setupWorker)
 *
 * It is CommonJS when built (dist/bootstrap.cjs), loaded with --require,
 * and so synchronous: when it returns, the worker's IPC listeners are in
 * place and `online` is sent, and a CommonJS main script runs in the same
 * tick. Nothing the primary sends can arrive in between.
 */
import type { Cluster } from '../index.ts';

// Only a process the primary forked carries the id (see src/worker.ts,
// WORKER_ID_ENV), and only its main thread has the IPC channel: Node runs
// --require preloads in a loader's hooks thread too (tsx's, say), where
// process.send does not exist and the engine has no business. So the engine
// is loaded here, not by a top-level import.
// (require(): this file always runs as CommonJS, built or under tsx's hook.)
if (typeof process.send === 'function' && 'MINI_CLUSTER_UNIQUE_ID' in process.env) {
  const cluster = (require('../index.ts') as { default: Cluster }).default;
  if (cluster.isWorker && cluster.worker == null) cluster._setupWorker!();
}
