// After test-cluster-invalid-message: an internal-looking message with an ack
// nobody is waiting for (what a confused or hostile sender could write) does
// not break the worker: it still disconnects and exits with code 0.
'use strict';
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

if (cluster.isPrimary) {
  watchdog();
  const worker = cluster.fork();
  worker.on('exit', mustCall((code, signal) => assert.deepStrictEqual([code, signal], [0, null])));
  worker.on('online', () => {
    worker.send({ cmd: 'NODE_CLUSTER', ack: -1 }, () => worker.disconnect());
  });
}
