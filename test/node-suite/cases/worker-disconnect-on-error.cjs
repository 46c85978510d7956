// After test-cluster-worker-disconnect-on-error: under SCHED_NONE, a worker
// whose listen() fails (the primary already holds the port with a server that
// is not the cluster's) gets an 'error' on its server, disconnects from its
// 'error' handler, and the worker exits.
'use strict';
const http = require('node:http');
const { cluster, mustCall, watchdog } = require('../common.cjs');

cluster.schedulingPolicy = cluster.SCHED_NONE;

const server = http.createServer();
if (cluster.isPrimary) {
  watchdog();
  const worker = cluster.fork();
  server.listen(0, '127.0.0.1', mustCall(() => worker.send({ port: server.address().port })));
  worker.on('exit', mustCall(() => server.close()));
} else {
  process.on('message', mustCall(({ port }) => {
    server.on('error', mustCall(() => cluster.worker.disconnect()));
    server.listen(port, '127.0.0.1');
  }));
}
