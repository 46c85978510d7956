// After test-cluster-rr-ref: unref() then ref() on a round-robin server in a
// worker, then close(): the close callback runs and no connection arrives.
'use strict';
const net = require('node:net');
const { cluster, mustCall, mustNotCall, watchdog } = require('../common.cjs');

if (cluster.isPrimary) {
  watchdog();
  const worker = cluster.fork();
  worker.on('message', mustCall((m) => m === 'closed' && worker.kill()));
} else {
  const server = net.createServer(mustNotCall('a connection arrived'));
  server.listen(0, '127.0.0.1', () => {
    server.unref();
    server.ref();
    server.close(mustCall(() => process.send('closed')));
  });
}
