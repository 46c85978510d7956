/**
 * The preload every worker starts with (`--import .../bootstrap.ts`): it sets
 * up the worker side before the user's script runs, so even a script that
 * never imports mini-cluster joins the cluster when it calls listen().
 *
 * Mirrors: initializeClusterIPC() in lib/internal/process/pre_execution.js (Node v20)
 * Read next: src/worker/child.ts (_setupWorker)
 */
import cluster from '../index.ts';
import { stripWorkerExecArgv } from '../master/fork.ts';

// Only a process the primary forked carries the id (see src/index.ts).
if (cluster.isWorker && cluster.worker == null) {
  cluster._setupWorker!();
  // NODE: nothing of Node's bootstrap shows in a worker's process.execArgv.
  stripWorkerExecArgv(process.execArgv);
}
