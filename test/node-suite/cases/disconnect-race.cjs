// After test-cluster-disconnect-race: under SCHED_NONE, worker 1 listens and
// is disconnected just as worker 2 is forked; worker 2 is disconnected on
// 'online'. Both exit with code 0 (Node 5.3 failed an assertion here).
'use strict';
const net = require('node:net');
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

cluster.schedulingPolicy = cluster.SCHED_NONE;

if (cluster.isPrimary) {
  watchdog();
  const first = cluster.fork();
  first.on('message', mustCall(() => {
    const second = cluster.fork();
    first.disconnect();
    second.on('online', mustCall(() => second.disconnect()));
  }));
  cluster.on('exit', mustCall((worker, code) => assert.strictEqual(code, 0, `worker ${worker.id} exited with ${code}`), 2));
} else {
  const server = net.createServer();
  server.listen(0, '127.0.0.1', () => process.send('listening'));
}
