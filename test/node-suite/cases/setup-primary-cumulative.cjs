// After test-cluster-setup-primary-cumulative: cluster.settings is empty until
// setupPrimary() fills in the defaults; later calls change only what they
// name and keep the rest.
'use strict';
const { assert, cluster } = require('../common.cjs');

assert.ok(cluster.isPrimary);
assert.deepStrictEqual(cluster.settings, {}, 'no settings before setupPrimary()');

cluster.setupPrimary();
const defaults = { args: process.argv.slice(2), exec: process.argv[1], execArgv: process.execArgv, silent: false };
// Newer Node versions also record the policy here; Node 20 does not.
if ('schedulingPolicy' in cluster.settings) defaults.schedulingPolicy = cluster.schedulingPolicy;
assert.deepStrictEqual(cluster.settings, defaults, 'the defaults');

cluster.setupPrimary({ exec: 'elsewhere.js' });
cluster.setupPrimary({ args: ['one', 'two'] });
cluster.setupPrimary({ execArgv: ['--no-warnings'] });
assert.strictEqual(cluster.settings.exec, 'elsewhere.js');
assert.deepStrictEqual(cluster.settings.args, ['one', 'two']);

cluster.setupPrimary();
assert.deepStrictEqual(cluster.settings, { ...defaults, exec: 'elsewhere.js', args: ['one', 'two'], execArgv: ['--no-warnings'] },
  'a call with no options keeps everything set before');
