// The small harness every case in test/node-suite/cases/ uses: our own
// stand-ins for the few checks Node's cluster tests lean on (a callback that
// must run a given number of times, one that must never run, a watchdog), so
// that each case is a plain CommonJS program that exits 0 when the behaviour
// holds and 1, with a reason on stderr, when it does not.
//
// CLUSTER_MODULE names the cluster under test: `node:cluster` or the path of
// the installed mini-cluster package. A worker inherits it with the rest of
// the environment, so `cluster.fork()` of the case file runs the same
// program on the worker side against the same cluster.
'use strict';
const assert = require('node:assert');

const cluster = require(process.env.CLUSTER_MODULE || 'node:cluster');

// Every mustCall() made in this process, checked when the process exits.
const expectations = [];

/** fn must run exactly `times` times before this process exits. */
function mustCall(fn = () => {}, times = 1) {
  const expectation = { times, calls: 0, where: new Error().stack.split('\n')[2]?.trim() };
  expectations.push(expectation);
  return function (...args) {
    expectation.calls++;
    return fn.apply(this, args);
  };
}

/** fn must run at least `times` times. */
function mustCallAtLeast(fn = () => {}, times = 1) {
  const expectation = { atLeast: times, calls: 0, where: new Error().stack.split('\n')[2]?.trim() };
  expectations.push(expectation);
  return function (...args) {
    expectation.calls++;
    return fn.apply(this, args);
  };
}

/** Fails the process as soon as it is called. */
function mustNotCall(why = 'a callback that must not run ran') {
  return (...args) => {
    fail(`${why} (called with ${args.map((a) => inspect(a)).join(', ')})`);
  };
}

function inspect(value) {
  return require('node:util').inspect(value, { depth: 1, breakLength: Infinity });
}

function fail(reason) {
  process.stderr.write(`[${cluster.isPrimary ? 'primary' : `worker ${cluster.worker?.id}`}] FAIL: ${reason}\n`);
  killWorkers();
  process.exit(1);
}

function killWorkers() {
  if (!cluster.isPrimary) return;
  for (const worker of Object.values(cluster.workers ?? {})) {
    try {
      worker.process.kill('SIGKILL');
    } catch {}
  }
}

process.on('exit', (code) => {
  if (code !== 0) return;
  for (const e of expectations) {
    const ok = e.atLeast === undefined ? e.calls === e.times : e.calls >= e.atLeast;
    if (!ok) {
      const wanted = e.atLeast === undefined ? `${e.times}` : `at least ${e.atLeast}`;
      process.stderr.write(`[${cluster.isPrimary ? 'primary' : `worker ${cluster.worker?.id}`}] FAIL: expected ${wanted} call(s), got ${e.calls}: ${e.where}\n`);
      process.exitCode = 1;
    }
  }
});

// In the primary, an assertion that throws fails the case and takes the
// workers along (killed by pid). A worker keeps Node's own uncaught-exception
// behaviour (stack on stderr, exit code 1), which some cases are about.
if (cluster.isPrimary) process.on('uncaughtException', (err) => fail(err && err.stack ? err.stack : String(err)));

/**
 * The primary's watchdog: a case that has not ended within `ms` fails, and
 * its workers are killed by pid. Unref'd, so it never keeps a case alive.
 */
function watchdog(ms = Number(process.env.CASE_TIMEOUT_MS || 8000)) {
  const timer = setTimeout(() => fail(`did not end within ${ms} ms`), ms);
  timer.unref();
  return timer;
}

module.exports = { assert, cluster, mustCall, mustCallAtLeast, mustNotCall, fail, watchdog, killWorkers };
