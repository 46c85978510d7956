// After test-cluster-disconnect-idle-worker: cluster.disconnect() right after
// two fork()s, with workers that do nothing, calls back once both are gone.
// fork is called unbound, as a plain function: cluster.fork must not need `this`.
'use strict';
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

if (cluster.isPrimary) {
  watchdog();
  const { fork } = cluster;
  fork();
  fork();
  cluster.disconnect(mustCall(() => {
    assert.deepStrictEqual(Object.keys(cluster.workers), [], 'no worker is left in cluster.workers');
  }));
}
