// After test-cluster-worker-no-exit: a disconnected worker does not exit while
// something keeps its event loop alive (here, a TCP connection it opened to
// the primary); it exits by Node's usual rule once that connection is gone.
'use strict';
const net = require('node:net');
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

if (cluster.isPrimary) {
  watchdog();
  let destroyed = false;
  let worker;
  const server = net.createServer(mustCall((conn) => {
    server.close();
    worker.disconnect();
    worker.once('disconnect', mustCall(() => {
      setTimeout(() => { destroyed = true; conn.destroy(); }, 1000);
    }));
    worker.once('exit', mustCall(() => {
      assert.ok(destroyed, 'the worker exited while its connection was still open');
    }));
  }));
  server.listen(0, '127.0.0.1', () => {
    worker = cluster.fork();
    worker.on('online', () => worker.send({ port: server.address().port }));
  });
} else {
  process.on('message', ({ port }) => net.connect(port, '127.0.0.1'));
}
