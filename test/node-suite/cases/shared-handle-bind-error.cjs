// After test-cluster-shared-handle-bind-error: under SCHED_NONE the primary
// binds for the worker; when the port is taken (here by the primary's own
// plain server), the worker's server gets EADDRINUSE, and the worker can still
// disconnect and exit with code 0.
'use strict';
const net = require('node:net');
const { assert, cluster, mustCall, mustNotCall, watchdog } = require('../common.cjs');

cluster.schedulingPolicy = cluster.SCHED_NONE;

if (cluster.isPrimary) {
  watchdog();
  const hog = net.createServer(mustNotCall('the hog got a connection'));
  hog.listen(0, '127.0.0.1', () => {
    const worker = cluster.fork({ CASE_PORT: String(hog.address().port) });
    worker.on('exit', mustCall((code) => {
      assert.strictEqual(code, 0);
      hog.close();
    }));
  });
} else {
  const server = net.createServer(mustNotCall('a connection arrived'));
  server.listen(Number(process.env.CASE_PORT), '127.0.0.1', mustNotCall('listen succeeded on a taken port'));
  server.on('error', mustCall((err) => {
    assert.strictEqual(err.code, 'EADDRINUSE');
    process.disconnect();
  }));
}
