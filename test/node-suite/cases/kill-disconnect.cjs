// After test-cluster-kill-disconnect: a worker that calls its own disconnect()
// or kill() is marked exitedAfterDisconnect, on 'disconnect' and on 'exit'
// alike, whichever of the two the primary sees first.
'use strict';
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

if (cluster.isPrimary) {
  watchdog();
  for (const action of ['disconnect', 'kill']) {
    const worker = cluster.fork({ CASE_ACTION: action });
    worker.on('disconnect', mustCall(() => assert.strictEqual(worker.exitedAfterDisconnect, true, `${action}: on 'disconnect'`)));
    worker.on('exit', mustCall(() => assert.strictEqual(worker.exitedAfterDisconnect, true, `${action}: on 'exit'`)));
  }
} else {
  cluster.worker[process.env.CASE_ACTION]();
}
