/**
 * Lesson 05: the thundering herd. Under SCHED_NONE every worker listens on
 * the same socket (lesson 04's model), so each new connection wakes every
 * worker and only one wins accept(). We count the wakeups from
 * /proc/<pid>/status, show the uneven split of sequential connections, and,
 * where strace is installed, the late losers' accept4() calls failing with EAGAIN.
 *
 *   connection => kernel wakes worker 1, 2, 3, 4 => one accept4() gets the socket
 *              => a loser that reaches accept4() after it gets EAGAIN; the others find
 *                 nothing left before epoll_wait() returns; all go back to sleep
 *
 * Mirrors: nothing — teaching program (docs/sources.md: the herd article's herd, the field notes' way of counting it)
 * Read next: lessons/05-thundering-herd/README.md, then lessons/06-query-server
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import cluster, { type Worker } from '../../src/index.ts';
import { deadline, finish, flag, get, option, sleep, track, wakeups } from '../_lib/lesson.ts';

// ---- a worker: an HTTP server that counts the connections it accepted ----

function worker(): void {
  let accepted = 0;
  const server = http.createServer((_req, res) => res.end(String(cluster.worker!.id)));
  server.on('connection', () => accepted++);
  server.listen(0, '127.0.0.1');
  process.on('message', (m) => m === 'count' && process.send!({ accepted }));
}

function count(w: Worker): Promise<number> {
  return new Promise((resolve) => {
    w.once('message', (m: { accepted: number }) => resolve(m.accepted));
    w.send('count');
  });
}

// ---- the primary ----

async function primary(): Promise<void> {
  deadline(15_000);
  const n = option('workers', 4);
  const connections = option('connections', 200);
  const gap = option('gap', 2);
  // The lesson's subject is SCHED_NONE; NODE_CLUSTER_SCHED_POLICY=rr, if
  // given, wins, so the same run can be repeated under round robin.
  // The policy must be chosen before the first fork: it freezes there.
  if (process.env.NODE_CLUSTER_SCHED_POLICY === undefined) cluster.schedulingPolicy = cluster.SCHED_NONE;
  const none = cluster.schedulingPolicy === cluster.SCHED_NONE;

  console.log('Lesson 05: the thundering herd\n');
  console.log(`policy: ${none ? 'SCHED_NONE (every worker accepts on the shared socket)' : 'SCHED_RR (the primary accepts and hands out)'}`);
  const workers = Array.from({ length: n }, () => cluster.fork());
  for (const w of workers) track(w.process as ChildProcess);
  const port = await new Promise<number>((resolve) => {
    let listening = 0;
    cluster.on('listening', (_w, address) => ++listening === n && resolve(address.port));
  });
  console.log(`${n} workers listening on 127.0.0.1:${port}`);
  await sleep(200); // let start-up settle, so its wakeups are not counted

  // Wakeups: how often each worker's main thread was woken from its sleep
  // in epoll_wait, over exactly the span of the connections.
  const pids = workers.map((w) => w.process.pid!);
  const before = pids.map(wakeups);
  const start = performance.now();
  for (let i = 0; i < connections; i++) {
    await get(port);
    await sleep(gap); // a low, steady rate: each connection finds everyone asleep
  }
  const seconds = (performance.now() - start) / 1000;
  const after = pids.map(wakeups);
  const accepted = await Promise.all(workers.map(count)); // counted by the workers themselves

  console.log(`\n${connections} connections, one at a time, ${gap} ms apart (${seconds.toFixed(1)} s)`);
  console.log('              accepted   wakeups');
  let totalWakeups = 0;
  workers.forEach((w, i) => {
    const woke = before[i] === null || after[i] === null ? null : after[i]! - before[i]!;
    totalWakeups += woke ?? 0;
    console.log(`  worker ${w.id}   ${String(accepted[i]).padStart(8)}   ${woke === null ? '    n/a' : String(woke).padStart(7)}`);
  });
  console.log(`  total      ${String(accepted.reduce((a, b) => a + b, 0)).padStart(8)}   ${before[0] === null ? '    n/a' : String(totalWakeups).padStart(7)}`);
  if (before[0] === null) console.log('\nwakeups: n/a (no /proc/<pid>/status here: Linux only)');
  else console.log(`\nwakeups per connection: ${(totalWakeups / connections).toFixed(2)} (1 is the minimum: the worker that serves it)`);
  const max = Math.max(...accepted);
  const min = Math.min(...accepted);
  console.log(`split: busiest ${max}, quietest ${min}, max/min ${min === 0 ? 'infinite' : (max / min).toFixed(1)} (an even split is ${(connections / n).toFixed(0)} each)`);

  if (none) await straceView(workers, port);
  cluster.disconnect(() => finish(0));
}

/**
 * The herd seen from the system calls: trace accept4() in every worker
 * during a few connections. strace attaches to a running process by pid
 * (ptrace) and slows it down, which is why wakeups were counted without it.
 */
async function straceView(workers: Worker[], port: number): Promise<void> {
  const connections = 10;
  console.log(`\nstrace view: accept4() in every worker during ${connections} more connections`);
  const installed = !flag('no-strace') && spawnSync('strace', ['-V']).status === 0;
  if (!installed) {
    const why = flag('no-strace') ? 'not used (--no-strace)' : 'not installed (Debian/Ubuntu: apt-get install strace)';
    console.log(`  strace is ${why}, so here is what it shows:`);
    console.log('  for each connection one worker\'s accept4() returns a new socket, e.g. "accept4(19, ...) = 23";');
    console.log('  a woken worker that reaches accept4() after the winner gets "-1 EAGAIN (Resource temporarily');
    console.log('  unavailable)". Later ones do not even get that far: the kernel sees nothing left to accept and');
    console.log('  puts them back to sleep inside epoll_wait(). Either way each was woken for nothing.');
    return;
  }
  // One strace per worker (-ttt: timestamps, to merge their lines in order).
  const traces = workers.map((w) => {
    const strace = track(spawn('strace', ['-ttt', '-e', 'trace=accept4', '-p', String(w.process.pid)], { stdio: ['ignore', 'ignore', 'pipe'] }));
    const trace = { worker: w.id, strace, output: '' };
    strace.stderr!.setEncoding('utf8').on('data', (chunk: string) => (trace.output += chunk));
    return trace;
  });
  const ready = (): boolean => traces.every((t) => t.output.includes('attached') || t.strace.exitCode !== null);
  if (!(await waitFor(ready, 3_000)) || traces.some((t) => t.strace.exitCode !== null)) {
    const why = traces.map((t) => t.output.trim().split('\n')[0]).find((line) => line && !line.includes('attached'));
    console.log(`  strace could not attach (${why ?? 'timed out'}); ptrace may be forbidden here.`);
    for (const t of traces) t.strace.kill('SIGKILL');
    return;
  }
  for (let i = 0; i < connections; i++) {
    await get(port);
    await sleep(20);
  }
  await sleep(100);
  // strace detaches cleanly on SIGINT, leaving the worker running.
  await Promise.all(traces.map((t) => new Promise((resolve) => { t.strace.once('exit', resolve); t.strace.kill('SIGINT'); })));

  const calls = traces.flatMap((t) => t.output.split('\n')
    .filter((line) => line.includes('accept4('))
    .map((line) => ({ worker: t.worker, time: Number(line.split(' ')[0]), call: line.slice(line.indexOf(' ') + 1).replace(/\{sa_family=.*?\}, \[\d+\]|NULL, NULL/, '...') })))
    .sort((a, b) => a.time - b.time);
  // Show the first calls, and make sure at least one EAGAIN is among them.
  const firstEagain = calls.findIndex((c) => c.call.includes('EAGAIN'));
  const shown = Math.max(6, Math.min(firstEagain + 2, calls.length));
  for (const c of calls.slice(0, shown)) console.log(`  +${((c.time - calls[0].time) * 1000).toFixed(1).padStart(6)} ms  worker ${c.worker}  ${c.call}`);
  if (calls.length > shown) console.log(`  ... (${calls.length - shown} more)`);
  const won = calls.filter((c) => /= \d+$/.test(c.call)).length;
  const eagain = calls.filter((c) => c.call.includes('EAGAIN')).length;
  console.log(`  ${connections} connections: ${won} accept4() calls got a socket, ${eagain} returned EAGAIN (woken for nothing).`);
  console.log('  The other wasted wakeups never reach accept4(): the kernel rechecks the socket before epoll_wait()');
  console.log('  returns, finds the connection gone, and puts the worker back to sleep.');
}

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}

if (cluster.isWorker) worker();
else await primary();
