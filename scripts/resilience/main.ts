/**
 * Three guarantees of the supervisor, measured and printed as tables: what clients see
 * when workers are restarted, killed, or shut down under load, with the
 * supervisor (src/supervisor/) over mini-cluster and over node:cluster.
 *
 *   npm run resilience                       # the default run, about 80 s
 *   npm run resilience -- --quick            # shorter chaos, no node:cluster chaos
 *   npm run resilience -- --keep-traces      # keep mini-cluster's JSONL traces (for npm run trace:render)
 *   npm run resilience -- --chaos-seconds 30 --node-chaos-seconds 30 --workers 4 --lanes 8
 *   npm run resilience -- --drain-runs 5     # the plain-API keep-alive rows, 5 runs each
 *   npm run resilience -- --only plain       # only those rows
 *
 * Mirrors: nothing — the patterns of PM2 and of the articles in docs/sources.md
 * Read next: scripts/resilience/scenarios.ts
 */
import { parseArgs } from 'node:util';
import { chaos, plainRolling, rolling, shutdown, type ChaosResult, type Options, type PlainRollingResult, type RollingResult, type ShutdownResult as ShutdownOutcome } from './scenarios.ts';
import { killEveryone } from './run.ts';
import { table, yes } from './table.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'keep-traces': { type: 'boolean', default: false },
    workers: { type: 'string', default: '4' },
    lanes: { type: 'string', default: '8' },
    'chaos-seconds': { type: 'string' },
    'node-chaos-seconds': { type: 'string' },
    'drain-runs': { type: 'string' },
    'drain-seconds': { type: 'string' },
    only: { type: 'string' },
  },
});
const options: Options = { workers: Number(values.workers), lanes: Number(values.lanes), chaosSeconds: Number(values['chaos-seconds'] ?? (values.quick ? 8 : 20)), keepTraces: values['keep-traces'] };
const nodeChaosSeconds = Number(values['node-chaos-seconds'] ?? (values.quick ? 0 : 10));

// Nothing we start may outlive us: every pid is killed on the way out.
process.on('exit', killEveryone);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
const started = Date.now();
const log = (text: string): void => void process.stderr.write(`  ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s  ${text}\n`);
console.log(`resilience: ${options.workers} workers, ${options.lanes} client lanes, Node ${process.version}, ${new Date().toISOString()}`);

const drainRuns = Number(values['drain-runs'] ?? 1);
const drainSeconds = Number(values['drain-seconds'] ?? (values.quick ? 4 : 8));

// (d) first when asked for alone: the plain cluster API, no supervisor.
async function plainApiRows(): Promise<void> {
  const results: PlainRollingResult[] = [];
  for (const lanes of [20, 100]) {
    for (const policy of ['rr', 'none'] as const) {
      for (let run = 1; run <= drainRuns; run++) {
        for (const impl of ['mini', 'node'] as const) {
          log(`plain API rolling restart, ${impl} ${policy}, ${lanes} keep-alive connections, run ${run} of ${drainRuns}`);
          results.push(await plainRolling(impl, policy, lanes, drainSeconds, options.workers));
        }
      }
    }
  }
  log(`plain API rolling restart under churn (a new connection per request), mini and node, rr`);
  const churned = [await plainRolling('mini', 'rr', options.lanes, drainSeconds, options.workers, 'churn'), await plainRolling('node', 'rr', options.lanes, drainSeconds, options.workers, 'churn')];
  console.log(table(`(d) Plain cluster API, no supervisor: fork, 'listening', old.disconnect(), 'exit', every worker in turn for ${drainSeconds} s, under keep-alive load (our own client)`,
    ['cluster', 'policy', 'connections', 'run', 'written', 'answered', 'lost', 'reset', 'reconnects', 'replaced', 'all exitedAfterDisconnect'],
    results.map((r, i) => [r.impl, r.policy, r.lanes, Math.floor(i / 2) % drainRuns + 1, r.written, r.answered, r.lost, r.reset, r.opened - r.lanes, r.replaced, yes(r.allExitedAfterDisconnect)])));
  console.log(table(`    the same under churn: ${options.lanes} lanes, a new connection per request`,
    ['cluster', 'policy', 'requests', 'answered', 'failed', 'replaced'],
    churned.map((r) => [r.impl, r.policy, r.written, r.answered, r.lost + r.reset, r.replaced])));
  console.log('  lost: a request written to a keep-alive connection that the server then closed without answering (autocannon');
  console.log('  cannot see these: it reconnects and resends without counting); reset: the same, ended by ECONNRESET or EPIPE.');
  console.log('  mini-cluster drains a leaving worker\'s HTTP connections (src/worker/drain.ts); node:cluster\'s close() cuts idle ones.');
}
if (values.only === 'plain') {
  await plainApiRows();
log('done');
  process.exit(0);
}

// (a) Rolling restart under load.
const rows: RollingResult[] = [];
for (const impl of ['mini', 'node'] as const) {
  for (const load of ['keep-alive (autocannon)', 'new connection'] as const) {
    log(`rolling restart, ${impl}, ${load}`);
    rows.push(await rolling(impl, load, options));
  }
}
// The comparison row: workers without the health helper cannot be drained.
log('rolling restart, mini, keep-alive, workers without the drain helper');
const undrained = await rolling('mini', 'keep-alive (autocannon)', options, { NO_HELPER: '1', KILL_TIMEOUT_MS: '1000' });
console.log(table('(a) Rolling restart of every worker (SIGUSR2) under load: failed and non-2xx must be 0',
  ['cluster', 'load', 'requests', 'failed', 'non-2xx', 'replaced', 'force-killed', 'all pids new', 'same port', 'restart ms'],
  [...rows, undrained].map((r) => [r === undrained ? `${r.impl} (no drain)` : r.impl, r.load, r.requests, r.failed, r.non2xx, `${r.replaced}/${options.workers}`, r.forced, yes(r.allPidsChanged), yes(r.samePort), r.restartMs])));
console.log('  (no drain): the worker runs without reportHealth(), so the supervisor cannot ask it for `Connection: close`;');
console.log('  busy keep-alive sockets then keep it alive until the kill timeout (1 s in that row).');

// (b) A worker SIGKILLed every second under new-connection load.
const chaosRuns: ChaosResult[] = [];
log(`chaos, mini, ${options.chaosSeconds} s (traced)`);
chaosRuns.push(await chaos('mini', options));
if (nodeChaosSeconds > 0) {
  log(`chaos, node, ${nodeChaosSeconds} s`);
  chaosRuns.push(await chaos('node', { ...options, chaosSeconds: nodeChaosSeconds }));
}
console.log(table('(b) SIGKILL of a random worker every second, new connection per request',
  ['cluster', 'seconds', 'kills', 'respawned', 'primary up', 'fewest ready at a kill', 'ready at end', 'same port', 'requests', 'ok', 'availability', 'failures/kill (mean, max)', 'failures by kind'],
  chaosRuns.map((c) => [c.impl, c.seconds, c.kills, c.respawned, yes(c.primaryUp), c.minReadyAtKill, `${c.readyAtEnd}/${options.workers}`, yes(c.samePort), c.requests, c.ok,
    `${c.availability.toFixed(2)} %`, `${(c.failuresPerKill.reduce((a, b) => a + b, 0) / Math.max(1, c.kills)).toFixed(1)}, ${Math.max(0, ...c.failuresPerKill)}`, c.errors])));
const traced = chaosRuns[0]!.trace;
if (traced !== null) {
  const k = traced.kills;
  const queued = k.reduce((a, v) => a + v.queued, 0);
  const inflight = k.filter((v) => v.inflightToVictim).length;
  const redistributed = k.reduce((a, v) => a + v.redistributed, 0);
  const hung = (JSON.parse(chaosRuns[0]!.errors) as Record<string, number>).timeout ?? 0;
  console.log(table('    mini-cluster at each kill, from the primary\'s trace (MINI_CLUSTER_TRACE; scripts/resilience/trace.ts)',
    ['kill', 'queued in primary', 'handoff in flight to victim', 'handoffs to the dead victim redistributed', 'client failures until next kill'],
    k.map((v, i) => [i + 1, v.queued, v.inflightToVictim ? 1 : 0, v.redistributed, chaosRuns[0]!.failuresPerKill[i] ?? 0])));
  console.log(`  total: ${queued} queued + ${inflight} in flight at the kill instants, ${redistributed} handoffs sent to a dead worker and redistributed;`);
  console.log(`  queued clients closed by the primary: ${traced.droppedByLastWorker}; fewest workers attached to the listener: ${traced.minWorkersAttached}; clients left hanging (timeout): ${hung}.`);
  if (traced.droppedByLastWorker === 0 && traced.minWorkersAttached > 0 && hung === 0) {
    console.log('  So the primary closed no client it held: each queued or redistributed one went to a live worker, and the');
    console.log('  failures are connections a victim had already accepted (SIGKILL cuts them).');
  } else {
    console.log('  NOT all held clients were served: the listener lost its last worker (it then closes, dropping its queue, and a');
    console.log('  listen(0) after that binds a new port), or a client hung. See "fewest ready at a kill" and "same port".');
  }
}
console.log('  For comparison: the tutorial in docs/sources.md (random crashes every 1-3 s in 8 workers, autocannon -c 200, CPU-bound handler) reports ~92 %.');

// (c) Graceful shutdown under load.
const shutdowns: ShutdownOutcome[] = [];
for (const lanes of [options.lanes, options.lanes * 4]) {
  for (const impl of ['mini', 'node'] as const) {
    log(`graceful shutdown, ${impl}, ${lanes} lanes`);
    shutdowns.push(await shutdown(impl, { ...options, lanes }));
  }
}
console.log(table('(c) SIGTERM under load (new-connection lanes + 2 keep-alive lanes + one 1.5 s request): every request accepted before the signal must be answered',
  ['cluster', 'lanes', 'exit code', 'signal→exit ms', 'slow request', 'accepted before', 'answered', 'failed (kind)', 'after: refused', 'after: served', 'queued clients closed by primary'],
  shutdowns.map((s) => [s.impl, s.lanes, String(s.exitCode), s.shutdownMs, s.slowOk ? 'ok' : 'FAILED', s.before.total, s.before.ok, `${s.before.total - s.before.ok} ${s.failedBefore === '{}' ? '' : s.failedBefore}`,
    s.after.refused, s.after.ok, s.droppedByLastWorker ?? '(no trace)'])));
console.log('  "accepted before": its TCP connection was established (and the request started) before SIGTERM was sent.');
console.log('  A failure there is a client the primary had accepted and queued, closed when the last worker left its RoundRobinHandle.');
await plainApiRows();
log('done');
