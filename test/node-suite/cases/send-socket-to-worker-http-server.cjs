// After test-cluster-send-socket-to-worker-http-server: a socket the primary
// sends to a worker, emitted by hand as 'connection' on the worker's HTTP
// server, has socket.server set to that server.
'use strict';
const http = require('node:http');
const net = require('node:net');
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

if (cluster.isPrimary) {
  watchdog();
  const worker = cluster.fork();
  const server = net.createServer(mustCall((socket) => worker.send('socket', socket)));
  worker.on('exit', mustCall((code) => {
    assert.strictEqual(code, 0);
    server.close();
  }));
  server.listen(0, '127.0.0.1', mustCall(() => net.connect(server.address().port, '127.0.0.1').on('error', () => {})));
} else {
  const server = http.createServer();
  server.on('connection', mustCall((socket) => {
    assert.strictEqual(socket.server, server, 'socket.server is the HTTP server');
    socket.destroy();
    cluster.worker.disconnect();
  }));
  process.on('message', mustCall((message, socket) => server.emit('connection', socket)));
}
