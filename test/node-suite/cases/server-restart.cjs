// After test-cluster-server-restart-rr and -none: while worker 1 listens on a
// port, worker 2 listens, closes, listens again on a new port and closes; it
// then disconnects, and both exit with code 0. CASE_POLICY picks the policy.
'use strict';
const net = require('node:net');
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

cluster.schedulingPolicy = process.env.CASE_POLICY === 'none' ? cluster.SCHED_NONE : cluster.SCHED_RR;

if (cluster.isPrimary) {
  watchdog();
  const first = cluster.fork();
  first.on('listening', mustCall(() => {
    const second = cluster.fork();
    second.on('exit', mustCall((code, signal) => {
      assert.deepStrictEqual([code, signal], [0, null], 'worker 2 exits normally');
      first.disconnect();
    }));
  }));
  first.on('exit', mustCall((code, signal) => assert.deepStrictEqual([code, signal], [0, null], 'worker 1 exits normally')));
} else {
  const server = net.createServer();
  server.listen(0, '127.0.0.1', mustCall(() => {
    if (cluster.worker.id !== 2) return;
    server.close(mustCall(() => {
      server.listen(0, '127.0.0.1', mustCall(() => server.close(() => process.disconnect())));
    }));
  }));
}
