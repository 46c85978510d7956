// After test-cluster-concurrent-disconnect: every worker, once all are online,
// is told to leave, half by disconnect() and half by destroy(); each one that
// leaves asks the rest to disconnect as well. Every worker must exit with
// code 0 and no signal, and a write error may only be a broken pipe or reset.
'use strict';
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

if (cluster.isPrimary) {
  watchdog();
  const count = 4;
  const workers = [];
  let notOnline = count;
  for (let i = 0; i < count; i++) {
    const worker = cluster.fork();
    workers.push(worker);
    worker.once('online', mustCall(() => {
      if (--notOnline > 0) return;
      workers.forEach((w, j) => w.isConnected() && w.send(j % 2 === 0 ? 'destroy' : 'disconnect'));
    }));
    worker.on('error', (err) => {
      // Sending to a worker that is leaving can fail; only these ways are expected.
      assert.strictEqual(err.syscall, 'write');
      assert.ok(['EPIPE', 'ECONNRESET'].includes(err.code), err.code);
    });
    worker.once('disconnect', mustCall(() => {
      for (const w of workers) if (w.isConnected()) w.send('disconnect');
    }));
    worker.once('exit', mustCall((code, signal) => {
      assert.strictEqual(code, 0);
      assert.strictEqual(signal, null);
    }));
  }
} else {
  process.on('message', (what) => {
    if (cluster.worker.isConnected()) cluster.worker[what]();
  });
}
