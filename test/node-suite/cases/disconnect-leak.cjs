// After test-cluster-disconnect-leak: under SCHED_NONE, a worker whose
// server is still being bound when cluster.disconnect() is called must
// still disconnect and exit (Node v5.4.0 leaked the handle and hung).
'use strict';
const net = require('node:net');
const { cluster, mustCall, watchdog } = require('../common.cjs');

cluster.schedulingPolicy = cluster.SCHED_NONE;

if (cluster.isPrimary) {
  watchdog();
  const worker = cluster.fork();
  worker.on('disconnect', mustCall());
  worker.on('exit', mustCall());
  cluster.on('exit', mustCall());
  cluster.disconnect();
} else {
  net.createServer().listen(0, '127.0.0.1');
}
