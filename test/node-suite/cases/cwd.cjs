// After test-cluster-cwd: a worker starts in the primary's directory unless
// settings.cwd names another; settings.cwd is undefined until set.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { assert, cluster, mustCall, watchdog } = require('../common.cjs');

if (cluster.isPrimary) {
  watchdog();
  const elsewhere = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mini-cluster-cwd-')));
  process.on('exit', () => fs.rmSync(elsewhere, { recursive: true, force: true }));
  assert.strictEqual(cluster.settings.cwd, undefined);
  cluster.fork().on('message', mustCall((cwd) => assert.strictEqual(cwd, process.cwd())));
  cluster.setupPrimary({ cwd: elsewhere });
  assert.strictEqual(cluster.settings.cwd, elsewhere);
  cluster.fork().on('message', mustCall((cwd) => assert.strictEqual(cwd, elsewhere)));
} else {
  process.send(process.cwd());
  process.disconnect();
}
