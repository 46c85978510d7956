// After test-cluster-worker-destroy: destroy() called inside a worker, once
// while still connected and once after its channel closed; both workers
// disconnect and exit as the primary sees it.
'use strict';
const { cluster, mustCall, watchdog } = require('../common.cjs');

if (cluster.isPrimary) {
  watchdog();
  for (const worker of [cluster.fork(), cluster.fork()]) {
    worker.on('disconnect', mustCall());
    worker.on('exit', mustCall());
  }
} else if (cluster.worker.id === 1) {
  cluster.worker.process.on('disconnect', () => cluster.worker.destroy()); // not connected any more
  cluster.worker.disconnect();
} else {
  cluster.worker.destroy(); // still connected
}
