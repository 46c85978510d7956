// After test-cluster-worker-forced-exit: a worker whose channel closes without
// the cluster's disconnect (the primary calls worker.process.disconnect()) is
// made to exit at once with code 0; one disconnected the cluster's way
// (worker.disconnect()) runs its own 'disconnect' handler and exits with the
// code it chooses.
'use strict';
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

const OWN_CODE = 42;

if (cluster.isPrimary) {
  watchdog();
  const unforced = cluster.fork();
  unforced.on('online', () => unforced.disconnect());
  unforced.on('exit', mustCall((code) => assert.strictEqual(code, OWN_CODE, "worker.disconnect(): the worker's own code")));
  const forced = cluster.fork();
  forced.on('online', () => forced.process.disconnect());
  forced.on('exit', mustCall((code) => assert.strictEqual(code, 0, 'process.disconnect(): exit 0, forced')));
} else {
  process.on('disconnect', () => setTimeout(() => process.exit(OWN_CODE), 10));
}
