// After test-cluster-worker-isdead: isDead() is false for a worker just forked
// and inside a running worker, and true by the time 'exit' is emitted.
'use strict';
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

if (cluster.isPrimary) {
  watchdog();
  const worker = cluster.fork();
  assert.strictEqual(worker.isDead(), false, 'a worker just forked is not dead');
  worker.on('message', mustCall((m) => { if (m === 'ready to die') worker.kill(); }));
  worker.on('exit', mustCall(() => {
    assert.strictEqual(worker.isDead(), true, "isDead() is true on 'exit'");
  }));
} else {
  assert.strictEqual(cluster.worker.isDead(), false, 'a running worker is not dead');
  process.send('ready to die');
}
