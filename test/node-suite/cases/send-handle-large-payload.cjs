// After test-cluster-send-handle-large-payload: a message of about 800 kB sent
// together with a socket reaches the worker whole, with the socket, and comes
// back the same way.
'use strict';
const net = require('node:net');
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

const payload = 'x'.repeat(800_004);

if (cluster.isPrimary) {
  watchdog();
  const server = net.createServer();
  server.on('connection', mustCall((socket) => socket.unref()));
  const worker = cluster.fork();
  worker.on('message', mustCall((message, handle) => {
    assert.strictEqual(message.payload, payload, 'the payload came back whole');
    assert.ok(handle instanceof net.Socket, 'with the socket');
    server.close();
    handle.destroy();
  }));
  server.listen(0, '127.0.0.1', mustCall(() => {
    const socket = net.connect(server.address().port, '127.0.0.1', () => worker.send({ payload }, socket));
  }));
} else {
  process.on('message', mustCall((message, handle) => {
    assert.strictEqual(message.payload, payload, 'the payload arrived whole');
    assert.ok(handle instanceof net.Socket, 'with the socket');
    process.send({ payload }, handle);
    process.channel.unref(); // let the worker end once it has nothing else to do
    handle.unref();
  }));
}
