// After test-cluster-fork-env: fork(env) adds to the primary's environment and
// wins over a variable the primary already has.
'use strict';
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

if (cluster.isPrimary) {
  watchdog();
  process.env.CASE_OVERWRITE = 'from the primary';
  const worker = cluster.fork({ CASE_ADDED: 'added', CASE_OVERWRITE: 'from fork()' });
  worker.on('message', mustCall((env) => {
    assert.deepStrictEqual(env, { added: 'added', overwrite: 'from fork()' });
    worker.kill();
  }));
} else {
  const sent = cluster.worker.send({ added: process.env.CASE_ADDED, overwrite: process.env.CASE_OVERWRITE });
  assert.strictEqual(sent, true, 'worker.send() returns true');
}
