// After test-cluster-send-deadlock: handles travel both ways at once. The
// primary sends the worker each socket its own server accepts; the worker
// sends each one straight back. Nothing may deadlock: the worker ends both
// client connections, disconnects, and exits with code 0.
'use strict';
const net = require('node:net');
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

if (cluster.isPrimary) {
  watchdog();
  const worker = cluster.fork();
  const server = net.createServer(mustCall((socket) => worker.send('handle', socket), 2));
  worker.on('exit', mustCall((code, signal) => {
    assert.strictEqual(code, 0);
    assert.strictEqual(signal, null);
    server.close();
  }));
  server.listen(0, '127.0.0.1', () => worker.send({ port: server.address().port }));
} else {
  process.on('message', (message, handle) => {
    if (message !== 'handle') {
      const clients = [0, 1].map(() => net.connect(message.port, '127.0.0.1'));
      let open = clients.length;
      for (const c of clients) c.on('close', () => --open === 0 && cluster.worker.disconnect());
      setTimeout(() => clients.forEach((c) => c.end()), 50);
      return;
    }
    process.send('back', handle);
  });
}
