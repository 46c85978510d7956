/**
 * Lesson 09: the lifecycle of a worker. Four workers, one after another,
 * each leaving a different way: the primary disconnects it, it disconnects
 * itself, it crashes, the primary kills it. Every cluster event is printed
 * with the worker's state, `exitedAfterDisconnect` and whether it is still
 * in cluster.workers.
 *
 *   fork => 'fork' => 'online' => 'listening' => ... => 'disconnect' => 'exit'
 *   exitedAfterDisconnect: true if it left on purpose (disconnect), false if it died (crash, signal)
 *
 * Mirrors: nothing — teaching program (the API guide's events, docs/sources.md; src/master/primary.ts fork())
 * Read next: lessons/09-lifecycle/README.md, then lessons/10-crash-and-respawn
 */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import cluster, { type Worker } from '../../src/index.ts';
import { deadline, finish, track } from '../_lib/lesson.ts';

// ---- a worker: serve, then leave the way LESSON_FATE says ----

function worker(): void {
  const server = http.createServer((_req, res) => res.end('hi'));
  server.listen(0, '127.0.0.1', () => {
    // Give the primary time to see 'listening' before we go.
    setTimeout(() => {
      if (process.env.LESSON_FATE === 'worker-disconnects') cluster.worker!.disconnect();
      if (process.env.LESSON_FATE === 'crash') process.exit(1); // as an uncaught exception would
    }, 100);
  });
}

// ---- the primary ----

const FATES = [
  { fate: 'primary-disconnects', title: 'the primary calls worker.disconnect()' },
  { fate: 'worker-disconnects', title: 'the worker calls cluster.worker.disconnect() itself' },
  { fate: 'crash', title: 'the worker crashes (process.exit(1))' },
  { fate: 'kill', title: 'the primary calls worker.kill() (SIGTERM)' },
] as const;

/** When each worker was forked, to time its events from there. */
const forkedAt = new Map<number, number>();

function line(w: Worker, event: string, detail = ''): void {
  const ms = Math.round(performance.now() - forkedAt.get(w.id)!);
  const member = cluster.workers![w.id] === w ? 'yes' : 'no';
  console.log(`   +${String(ms).padStart(4)} ms  ${`'${event}'`.padEnd(12)} ${detail.padEnd(55)} state ${w.state.padEnd(12)} in cluster.workers: ${member}`);
}

async function primary(): Promise<void> {
  deadline(15_000);
  console.log('Lesson 09: the lifecycle of a worker');
  // 'setup' has no worker: it follows every setupPrimary(), which every fork() calls. Shown once.
  cluster.once('setup', (settings) => console.log(`   'setup'     exec ${settings.exec?.replace(process.cwd() + '/', '')} (before each fork; shown once)`));

  // Every cluster event, for whichever worker it concerns.
  cluster.on('fork', (w) => line(w, 'fork'));
  cluster.on('online', (w) => line(w, 'online'));
  cluster.on('listening', (w, address) => line(w, 'listening', `${address.address}:${address.port} `));
  cluster.on('disconnect', (w) => line(w, 'disconnect', `exitedAfterDisconnect ${w.exitedAfterDisconnect}`));
  cluster.on('exit', (w, code, signal) => line(w, 'exit', `code ${code}, signal ${signal}, exitedAfterDisconnect ${w.exitedAfterDisconnect}`));

  for (const [i, { fate, title }] of FATES.entries()) {
    console.log(`\n${i + 1}. worker ${i + 1}: ${title}`);
    const w = cluster.fork({ LESSON_FATE: fate });
    forkedAt.set(w.id, performance.now());
    track(w.process as ChildProcess);
    await new Promise((resolve) => w.once('listening', resolve));
    if (fate === 'primary-disconnects') {
      w.disconnect();
      console.log(`   (worker.disconnect() returned: removed from cluster.workers at once: ${cluster.workers![w.id] === undefined})`);
    }
    if (fate === 'kill') w.kill();
    await new Promise((resolve) => w.once('exit', resolve));
  }
  console.log(`\ncluster.workers at the end: ${JSON.stringify(cluster.workers)}`);
  finish(0);
}

if (cluster.isWorker) worker();
else await primary();
