/**
 * Lesson 11: zero-downtime rolling restart. Three supervised workers serve
 * client lanes (new connections and keep-alive ones) without a pause while
 * the primary replaces every worker twice: once on SIGUSR2, once on SIGHUP
 * (the signals the tutorial and the API guide of docs/sources.md use). Each
 * replacement forks the new worker first, waits until it listens, and only
 * then drains and disconnects the old one. `--disconnect-first` runs the
 * tutorial's own order instead (disconnect, then fork).
 *
 *   SIGUSR2 => for each slot: fork(new) ... 'listening' => drain(old) => old.disconnect() ... 'exit' => next slot
 *
 * Mirrors: nothing — teaching program (docs/sources.md: the tutorial, the API guide; src/supervisor/rolling.ts)
 * Read next: lessons/11-rolling-restart/README.md, then lessons/12-graceful-shutdown
 */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import cluster, { type Worker } from '../../src/index.ts';
import { reportHealth, Supervisor, type Replacement, type WorkerLike } from '../../src/supervisor/index.ts';
import { deadline, failures, finish, flag, option, sleep, startLoad, track, type LoadResult } from '../_lib/lesson.ts';

// ---- a worker: answers with its pid; the health helper also answers the drain ----

function worker(): void {
  const server = http.createServer((_req, res) => res.end(`${process.pid}\n`));
  // Before a planned disconnect the supervisor asks for a drain: every
  // response then says `Connection: close`, so keep-alive clients move on.
  if (!flag('disconnect-first')) reportHealth(server);
  server.listen(0, '127.0.0.1');
}

// ---- the primary ----

const t0 = performance.now();
const at = (): string => `+${((performance.now() - t0) / 1000).toFixed(1).padStart(4)} s`;

function listening(): Promise<number> {
  return new Promise((resolve) => cluster.once('listening', (_w, address) => resolve(address.port)));
}

/** What the lanes saw, in one line, and the pids that answered. */
function report(result: LoadResult): { failed: number; pids: Set<string> } {
  const { total, text } = failures(result);
  console.log(`  requests: ${result.ok + total}, answered: ${result.ok}, failed: ${total}${text ? ` (${text})` : ''}`);
  return { failed: total, pids: new Set(result.bodies.keys()) };
}

async function rolling(): Promise<void> {
  const workers = option('workers', 3);
  const sup = new Supervisor(cluster, { workers });
  const ports = new Set<number>();
  cluster.on('listening', (_w, address) => ports.add(address.port));
  sup.on('fork', ({ worker: w }: { worker: WorkerLike }) => track(w.process as ChildProcess));
  const firstPort = listening();
  await sup.start();
  const port = await firstPort;
  const before = sup.stats().map((s) => s.pid);
  console.log(`${workers} workers on 127.0.0.1:${port}, pids ${before.join(' ')} (primary ${process.pid})`);
  const load = startLoad(port, { lanes: 4, keepAliveLanes: 2 });
  console.log('load: 4 lanes with a new connection per request, 2 lanes on keep-alive connections, without a pause\n');
  await sleep(300);

  // Each replacement, as the supervisor reports it.
  sup.on('replaced', (r: Replacement) => console.log(`  ${at()}  slot ${r.slot}: new pid ${r.newPid} listening, then old pid ${r.oldPid} drained and disconnected${r.forced ? ' (forced: killed after the timeout)' : ''}`));
  for (const signal of ['SIGUSR2', 'SIGHUP'] as const) {
    const done = new Promise<void>((resolve) => {
      let replaced = 0;
      const onReplaced = (): void => void (++replaced === workers && (sup.off('replaced', onReplaced), resolve()));
      sup.on('replaced', onReplaced);
    });
    const why = signal === 'SIGHUP' ? ' (the signal nginx reloads on)' : '';
    console.log(`  ${at()}  kill -${signal.slice(3)} ${process.pid}${why}: rolling restart, one slot at a time`);
    process.kill(process.pid, signal); // the supervisor's handler in this very process starts sup.restart()
    await done;
  }
  await sleep(300);
  const result = await load.stop();
  const after = sup.stats().map((s) => s.pid);

  console.log(`\n  ${at()}  both restarts over; the lanes stop`);
  const { failed, pids } = report(result);
  console.log(`  answered by ${pids.size} different pids over the run (${workers} at a time)`);
  console.log(`  pids now ${after.join(' ')}: ${after.every((pid) => !before.includes(pid)) ? 'every one replaced' : 'SOME NOT REPLACED'}`);
  console.log(`  ports reported by 'listening', old and new workers: ${[...ports].join(', ')} (${ports.size === 1 ? 'unchanged' : 'CHANGED'})`);
  console.log(`  failed requests: ${failed}${failed === 0 ? ' (zero downtime)' : ''}`);
  const shutdown = await sup.shutdown();
  console.log(`  shutdown: code ${shutdown.code}`);
}

/**
 * The tutorial's restartWorker (docs/sources.md), as written there, without
 * a supervisor: for each worker, disconnect() it, and only on its 'exit'
 * fork the next one and wait for 'listening'. With one worker, nobody
 * listens in between.
 */
async function disconnectFirst(): Promise<void> {
  const n = option('workers', 1);
  const ports = new Set<number>();
  cluster.on('listening', (_w, address) => ports.add(address.port));
  const workers: Worker[] = Array.from({ length: n }, () => cluster.fork());
  for (const w of workers) track(w.process as ChildProcess);
  const port = await listening();
  while (Object.values(cluster.workers ?? {}).some((w) => w!.state !== 'listening')) await sleep(20);
  console.log(`disconnect first, then fork, no supervisor: ${n} worker(s) on 127.0.0.1:${port}, pids ${workers.map((w) => w.process.pid).join(' ')}`);
  const load = startLoad(port, { lanes: 4, keepAliveLanes: 2 });
  console.log('load: 4 lanes with a new connection per request, 2 lanes on keep-alive connections, without a pause\n');
  await sleep(300);

  const done = new Promise<void>((resolve) => {
    process.on('SIGUSR2', () => {
      const restartWorker = (i: number): void => {
        if (i >= workers.length) return resolve();
        const worker = workers[i];
        console.log(`  ${at()}  stopping worker ${worker.process.pid}: disconnect()`);
        worker.disconnect();
        worker.on('exit', () => {
          if (!worker.exitedAfterDisconnect) return;
          const newWorker = cluster.fork();
          track(newWorker.process as ChildProcess);
          console.log(`  ${at()}  it exited; fork() a new one, pid ${newWorker.process.pid}`);
          newWorker.on('listening', (address: { port: number }) => {
            console.log(`  ${at()}  pid ${newWorker.process.pid} listening on port ${address.port}`);
            restartWorker(i + 1);
          });
        });
      };
      restartWorker(0);
    });
  });
  console.log(`  ${at()}  kill -USR2 ${process.pid}`);
  process.kill(process.pid, 'SIGUSR2');
  await done;
  await sleep(300);
  const result = await load.stop();
  console.log(`\n  ${at()}  restart over; the lanes stop (they kept using port ${port})`);
  const { failed } = report(result);
  console.log(`  ports reported by 'listening': ${[...ports].join(', ')} (${ports.size === 1 ? 'unchanged' : 'CHANGED: the listener was closed when its last worker left, and the new one bound port 0 again'})`);
  console.log(`  failed requests: ${failed}`);
  await new Promise<void>((resolve) => cluster.disconnect(resolve));
}

if (cluster.isWorker) {
  worker();
} else {
  deadline(15_000);
  console.log('Lesson 11: zero-downtime rolling restart\n');
  if (flag('disconnect-first')) await disconnectFirst();
  else await rolling();
  finish(0);
}
