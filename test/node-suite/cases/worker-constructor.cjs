// After test-cluster-worker-constructor: cluster.Worker builds a worker with
// no options, from options, and when called without `new` on another object.
'use strict';
const { assert, cluster } = require('../common.cjs');

const bare = new cluster.Worker();
assert.strictEqual(bare.state, 'none');
assert.strictEqual(bare.id, 0);
assert.strictEqual(bare.process, undefined);
assert.strictEqual(bare.exitedAfterDisconnect, undefined);

const given = new cluster.Worker({ id: 7, state: 'online', process });
assert.strictEqual(given.state, 'online');
assert.strictEqual(given.id, 7);
assert.strictEqual(given.process, process);

const called = cluster.Worker.call({}, { id: 9 });
assert.ok(called instanceof cluster.Worker, 'a call without new still gives a Worker');
assert.strictEqual(called.id, 9);
