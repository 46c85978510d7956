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
import { isMainThread } from 'node:worker_threads';
import cluster from '../index.ts';

// Only a process the primary forked carries the id (see src/index.ts).
// Not in a loader's hooks thread either: Node runs --require preloads there too.
if (isMainThread && cluster.isWorker && cluster.worker == null) cluster._setupWorker!();
