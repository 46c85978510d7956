// After test-cluster-worker-events: inside a worker, a message from the
// primary is emitted on process and on cluster.worker alike (once each, the
// same message), and an 'error' on process is re-emitted on cluster.worker.
'use strict';
const { assert, cluster, mustCall, mustCallAtLeast, watchdog } = require('../common.cjs');

const EXIT_CODE = 2;

if (cluster.isPrimary) {
  watchdog();
  const worker = cluster.fork();
  worker.on('exit', mustCall((code) => {
    assert.strictEqual(code, EXIT_CODE, 'the worker saw both copies and the error');
  }));
  assert.strictEqual(worker.send({ hello: 'worker' }), true, 'send() returns true');
} else {
  const seen = [];
  const check = mustCallAtLeast((message) => {
    seen.push(message);
    if (seen.length < 2) return;
    assert.deepStrictEqual(seen[0], seen[1]);
    cluster.worker.once('error', mustCall((e) => {
      assert.strictEqual(e, 'an error');
      process.exit(EXIT_CODE);
    }));
    process.emit('error', 'an error');
  }, 2);
  process.once('message', check);
  cluster.worker.once('message', check);
}
