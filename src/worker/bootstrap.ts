/**
 * The preload every worker starts with (`--import .../bootstrap.ts`): it sets
 * up the worker side before the user's script runs, so even a script that
 * never imports mini-cluster joins the cluster when it calls listen().
 *
 * Mirrors: initializeClusterIPC() in lib/internal/process/pre_execution.js (Node v20)
 * Read next: src/worker/child.ts (_setupWorker)
 */
import cluster from '../index.ts';

// Only a process the primary forked carries the id. A grandchild inherits
// this preload through execArgv but not the id (it was deleted), so there
// the import above just made an unused primary object, and nothing happens.
if (cluster.isWorker && cluster.worker == null) cluster._setupWorker!();
