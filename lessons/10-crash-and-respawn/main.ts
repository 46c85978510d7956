/**
 * Lesson 10: crash and respawn under load. Part 1: four workers that crash
 * at random (the tutorial's "Ooops", 1 to 3 s after they start) under a
 * supervisor that respawns each one after a backoff, while client lanes
 * send requests, each on a new connection; we count what the clients saw.
 * Part 2: a worker that crashes every time it starts: the backoff doubles,
 * then the crash-loop cap gives the slot up.
 *
 *   worker throws => 'exit' (code 1, exitedAfterDisconnect false) => 'crash': wait 100 ms, 200 ms, 400 ms ...
 *                 => fork a replacement => 'listening' => 'ready'
 *   more than maxRestarts crashes within restartWindowMs => 'giveup': the slot stays empty
 *
 * Mirrors: nothing — teaching program (the tutorial's crash test, docs/sources.md; src/supervisor/supervisor.ts)
 * Read next: lessons/10-crash-and-respawn/README.md, then lessons/11-rolling-restart
 */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import cluster from '../../src/index.ts';
import { Supervisor, type WorkerLike } from '../../src/supervisor/index.ts';
import { deadline, failures, finish, flag, option, sleep, startLoad, track } from '../_lib/lesson.ts';

// ---- a worker: the tutorial's server, and its time bomb ----

function worker(): void {
  if (process.env.LESSON_BROKEN) {
    // Part 2: a worker that can never run (think: a missing config file).
    setTimeout(() => { throw new Error('cannot start: config missing'); }, 50);
  } else {
    // The tutorial throws after 1, 2 or 3 whole seconds; we take any time in
    // between, so that four workers started together do not all die together.
    // unref(): the bomb alone does not keep a disconnected worker alive.
    setTimeout(() => { throw new Error('Ooops'); }, 1000 + Math.random() * 2000).unref();
  }
  const work = Number(process.env.LESSON_WORK);
  http.createServer((_req, res) => {
    for (let i = work; i > 0; i--); // CPU work per request: 1e6 by default (the tutorial's loop is 1e7)
    res.end(`${process.pid}\n`);
  }).listen(Number(process.env.LESSON_PORT), '127.0.0.1');
}

// ---- the primary ----

const t0 = performance.now();
const at = (): string => `+${((performance.now() - t0) / 1000).toFixed(1).padStart(4)} s`;
const ordinal = (n: number): string => `${n}${['th', 'st', 'nd', 'rd'][n % 10 > 3 || Math.floor(n / 10) === 1 ? 0 : n % 10]}`;

/** The last "Error: ..." line a worker printed on its stderr (silent: true pipes it to us). */
const lastError = new Map<number, string>();
function watchStderr(w: WorkerLike): void {
  const child = w.process as ChildProcess;
  track(child);
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    const match = /^(\w*Error: .*)$/m.exec(text);
    if (match) lastError.set(w.id, match[1]);
  });
}

/** A free port: the workers listen on a fixed one, so that it survives even a moment with no worker at all. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function randomCrashes(): Promise<void> {
  const workers = option('workers', 4);
  const lanes = option('lanes', 8);
  const seconds = option('seconds', 3.5);
  const keepAlive = flag('keep-alive');
  const port = await freePort();
  const connections = keepAlive ? 'each on one keep-alive connection' : 'a new connection per request';
  console.log(`Part 1: ${workers} workers that crash at random, ${lanes} client lanes (${connections}), ${seconds} s\n`);
  const sup = new Supervisor(cluster, { workers, env: { LESSON_PORT: String(port), LESSON_WORK: String(option('work', 1e6)) } });
  const { initialDelayMs, maxDelayMs, maxRestarts, restartWindowMs } = sup.options;
  console.log(`  supervisor: respawn after a crash, waiting ${initialDelayMs} ms, doubling up to ${maxDelayMs / 1000} s;`);
  console.log(`  give a slot up after more than ${maxRestarts} crashes in ${restartWindowMs / 1000} s`);

  let crashes = 0;
  let respawned = 0;
  const crashedAt = new Map<number, number>(); // slot => when its last worker crashed
  // How many workers are listening, and the stretches of time with none at all.
  let up = 0;
  let noneSince: number | null = null;
  const outages: number[] = [];
  sup.on('fork', ({ worker: w }: { worker: WorkerLike }) => watchStderr(w));
  sup.on('crash', ({ slot, worker: w, code, delayMs, streak }: { slot: number; worker: WorkerLike; code: number | null; delayMs: number; streak: number }) => {
    crashes++;
    crashedAt.set(slot, performance.now());
    if (--up === 0) noneSince = performance.now();
    const why = lastError.get(w.id) ?? 'no message';
    console.log(`  ${at()}  slot ${slot}: worker ${w.id} crashed (code ${code}, ${why}); ${ordinal(streak)} crash in a row: respawn in ${delayMs} ms`);
  });
  sup.on('ready', ({ slot, worker: w, reason }: { slot: number; worker: WorkerLike; reason: string }) => {
    if (up++ === 0 && noneSince !== null) {
      outages.push(performance.now() - noneSince);
      console.log(`  ${at()}  (for ${Math.round(outages.at(-1)!)} ms no worker was listening: the port was closed)`);
      noneSince = null;
    }
    if (reason !== 'respawn') return;
    respawned++;
    const ms = Math.round(performance.now() - crashedAt.get(slot)!);
    console.log(`  ${at()}  slot ${slot}: worker ${w.id} ready, ${ms} ms after the crash`);
  });

  await sup.start();
  console.log(`  ${at()}  ${workers} workers listening on 127.0.0.1:${port}; load starts\n`);
  // Each lane sends its next request as soon as the last one ended (a closed loop, like autocannon).
  const running = startLoad(port, keepAlive ? { lanes: 0, keepAliveLanes: lanes } : { lanes });
  await sleep(seconds * 1000);
  const tally = await running.stop();
  const { total: failed, text: kinds } = failures(tally);
  const total = tally.ok + failed;
  const result = await sup.shutdown();

  console.log(`\n  ${at()}  load over; shutdown: ${result.workers} workers left, code ${result.code}`);
  console.log(`  requests: ${total}, answered: ${tally.ok}, failed: ${failed}${kinds ? ` (${kinds})` : ''}`);
  console.log(`  availability: ${((100 * tally.ok) / Math.max(1, total)).toFixed(2)} % of requests answered`);
  const refused = tally.failed.get('ECONNREFUSED') ?? 0;
  const cut = failed - refused; // requests inside a worker when it died (reset, or a timeout)
  console.log(`  crashes: ${crashes}, respawned: ${respawned}; requests cut by a crash: ${cut}, ${(cut / Math.max(1, crashes)).toFixed(1)} per crash`);
  if (outages.length > 0 || refused > 0) {
    console.log(`  ${refused} of the failures were refused connections: ${outages.length} time(s) every worker was down at once`);
    console.log(`  (${outages.map((ms) => `${Math.round(ms)} ms`).join(', ') || 'at the end'}); with no worker left the primary closes the listening socket`);
    console.log('  (lesson 07: the last remove()), and a refused connection fails at once, so the lanes count many.');
  } else {
    console.log('  no moment without a listening worker: every failure is a request that was inside a worker when it died');
  }
}

async function crashLoop(): Promise<void> {
  console.log('\nPart 2: a worker that crashes every time it starts\n');
  const sup = new Supervisor(cluster, {
    workers: 1, maxRestarts: 2, restartWindowMs: 10_000, env: { LESSON_BROKEN: '1', LESSON_PORT: String(await freePort()) },
  });
  console.log(`  supervisor: maxRestarts ${sup.options.maxRestarts} within ${sup.options.restartWindowMs / 1000} s`);
  let forks = 0;
  sup.on('fork', ({ worker: w }: { worker: WorkerLike }) => (forks++, watchStderr(w)));
  sup.on('crash', ({ worker: w, code, delayMs, streak }: { worker: WorkerLike; code: number | null; delayMs: number; streak: number }) =>
    console.log(`  ${at()}  worker ${w.id} crashed (code ${code}, ${lastError.get(w.id) ?? 'no message'}): ${ordinal(streak)} in a row, respawn in ${delayMs} ms`));
  const gaveUp = new Promise<{ crashes: number; windowMs: number; worker: WorkerLike }>((resolve) => sup.once('giveup', resolve));

  await sup.start();
  const giveup = await gaveUp;
  console.log(`  ${at()}  worker ${giveup.worker.id} crashed: ${giveup.crashes} crashes within ${giveup.windowMs / 1000} s, more than ${sup.options.maxRestarts}: 'giveup', the slot stays empty`);
  await sleep(500); // longer than the next backoff would have been (400 ms): no respawn comes
  console.log(`  ${at()}  forks: ${forks} (the first and ${forks - 1} respawns); slot 0 is now '${sup.stats()[0].state}'`);
  await sup.shutdown();
}

if (cluster.isWorker) {
  worker();
} else {
  deadline(15_000 + Math.max(0, option('seconds', 3.5) - 3.5) * 1000); // more with a longer --seconds
  // silent: each worker's stderr comes to us through a pipe, so a crash shows
  // as one line (its "Error: ...") instead of a stack trace in the middle.
  cluster.setupPrimary({ silent: true });
  console.log('Lesson 10: crash and respawn under load\n');
  await randomCrashes();
  await crashLoop();
  finish(0);
}
