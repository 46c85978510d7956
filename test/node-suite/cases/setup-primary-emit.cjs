// After test-cluster-setup-primary-emit: setupPrimary() emits 'setup' with the
// settings, each time it is called, and the settings always carry exec.
'use strict';
const { assert, cluster, mustCall } = require('../common.cjs');

assert.ok(cluster.isPrimary);
cluster.once('setup', mustCall((settings) => {
  assert.strictEqual(settings.exec, 'another-script');
  setImmediate(mustCall(() => {
    cluster.once('setup', mustCall((again) => assert.ok('exec' in again, 'the settings keep exec')));
    cluster.setupPrimary();
  }));
}));
cluster.setupPrimary({ exec: 'another-script' });
