// After test-cluster-disconnect-with-no-workers: cluster.disconnect() with no
// worker at all still calls back, and never synchronously.
'use strict';
const { assert, cluster, mustCall } = require('../common.cjs');

let calledBack = false;
cluster.disconnect(mustCall(() => { calledBack = true; }));
assert.strictEqual(calledBack, false, 'the callback ran synchronously');
