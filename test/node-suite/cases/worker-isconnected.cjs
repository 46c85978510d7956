// After test-cluster-worker-isconnected: isConnected() is true from fork()
// on, on both sides, and false once the channel is gone, on both sides.
'use strict';
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

if (cluster.isPrimary) {
  watchdog();
  const worker = cluster.fork();
  assert.strictEqual(worker.isConnected(), true, 'connected right after fork()');
  worker.on('disconnect', mustCall(() => assert.strictEqual(worker.isConnected(), false)));
  worker.on('message', mustCall((m) => m === 'disconnect me' && worker.disconnect()));
} else {
  assert.strictEqual(cluster.worker.isConnected(), true, 'connected inside the worker');
  cluster.worker.process.on('disconnect', mustCall(() => {
    assert.strictEqual(cluster.worker.isConnected(), false, 'not connected after the channel closed');
  }));
  process.send('disconnect me');
}
