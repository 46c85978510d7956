// After test-cluster-worker-init: a message the primary sends on 'online'
// reaches a listener the worker attached to cluster.worker in its first run,
// and worker.disconnect() returns the worker itself.
'use strict';
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

if (cluster.isPrimary) {
  watchdog();
  const worker = cluster.fork();
  worker.on('online', () => worker.send('ping'));
  worker.on('message', mustCall((reply) => {
    assert.strictEqual(reply, 'ping arrived');
    assert.strictEqual(worker.disconnect(), worker, 'disconnect() returns the worker');
  }));
} else {
  cluster.worker.on('message', (message) => process.send(`${message} arrived`));
}
