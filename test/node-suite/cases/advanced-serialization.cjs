// After test-cluster-advanced-serialization: with settings.serialization set
// to 'advanced', an object that refers to itself, sent on 'online', comes back
// from the worker equal to what was sent (JSON could not carry it).
'use strict';
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

if (cluster.isPrimary) {
  watchdog();
  cluster.setupPrimary({ serialization: 'advanced' });
  const worker = cluster.fork();
  const loop = { name: 'loop' };
  loop.self = loop;
  worker.on('online', mustCall(() => {
    worker.send(loop);
    worker.on('message', mustCall((echo) => {
      assert.deepStrictEqual(echo, loop);
      worker.kill();
    }));
  }));
} else {
  process.on('message', (message) => process.send(message));
}
