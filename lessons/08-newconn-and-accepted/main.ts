/**
 * Lesson 08: newconn and accepted. Every round-robin handoff is a question
 * ("newconn", with the connection attached) and an answer ({accepted}).
 * Part A: a worker at maxConnections answers false, and the primary gives
 * the connection to another worker. Part B: a worker dies before answering;
 * mini-cluster redistributes that connection, Node's cluster leaves its
 * client hanging (both shown, with the same code).
 *
 *   primary --newconn + handle--> worker: accepted? => {accepted: true}  => primary closes its copy
 *                                                  => {accepted: false} => distribute() again
 *                                                  => (worker dies)     => mini: distribute() again; Node: nothing
 *
 * Mirrors: nothing — teaching program (drives src/master/round-robin-handle.ts and src/worker/child.ts)
 * Read next: lessons/08-newconn-and-accepted/README.md, then lessons/09-lifecycle
 */
// First: turns the engine's trace on (into a temp file) before src/ loads.
import '../_lib/trace-on.ts';
import type { ChildProcess } from 'node:child_process';
import nodeCluster from 'node:cluster';
import type { EventEmitter } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import mini from '../../src/index.ts';
import { deadline, finish, get, sleep, track } from '../_lib/lesson.ts';
import { showTrace, skipTrace, writeTracePage } from '../_lib/trace.ts';

// The same program runs on either implementation: they share the API.
interface AnyWorker extends EventEmitter { id: number; process: ChildProcess; send(message: unknown): boolean }
interface AnyCluster extends EventEmitter { isWorker: boolean; worker?: { id: number } | null; fork(env?: object): AnyWorker; disconnect(cb?: () => void): void }
const miniCluster = mini as unknown as AnyCluster;
const nodeClusterAny = nodeCluster as unknown as AnyCluster;

// ---- a worker (on either implementation) ----

function worker(cluster: AnyCluster): void {
  const id = cluster.worker!.id;
  const server = http.createServer((_req, res) => res.end(String(id)));
  // Part A: worker 1 takes one connection at most.
  if (process.env.LESSON_MAX_CONNECTIONS) server.maxConnections = Number(process.env.LESSON_MAX_CONNECTIONS);
  server.listen(0, '127.0.0.1');
  process.on('message', (m: string) => {
    if (m === 'connections?') server.getConnections((_err, count) => process.send!({ connections: count }));
    if (m === 'block') {
      // Part B: busy for 3 s. The event loop is stuck, so a newconn sent now
      // is not even read, let alone answered. (The primary kills us sooner.)
      const until = Date.now() + 3_000;
      while (Date.now() < until);
    }
  });
}

// ---- helpers for the primary ----

function listening(cluster: AnyCluster, w: AnyWorker): Promise<number> {
  return new Promise((resolve) => {
    const onListening = (lw: AnyWorker, address: { port: number }): void => {
      if (lw !== w) return;
      cluster.off('listening', onListening);
      resolve(address.port);
    };
    cluster.on('listening', onListening);
  });
}

async function connectionsOf(w: AnyWorker): Promise<number> {
  return new Promise((resolve) => {
    w.once('message', (m: { connections: number }) => resolve(m.connections));
    w.send('connections?');
  });
}

/** Count a worker's answers to newconn: they arrive as internal replies {ack, accepted}. */
function countAnswers(w: AnyWorker): { accepted: number; refused: number } {
  const counts = { accepted: 0, refused: 0 };
  w.process.on('internalMessage', (m: { accepted?: boolean }) => {
    if (m.accepted === true) counts.accepted++;
    if (m.accepted === false) counts.refused++;
  });
  return counts;
}

// ---- Part A: refusal at maxConnections ----

async function refusals(): Promise<void> {
  console.log('Part A: a worker at maxConnections refuses (mini-cluster, round robin)\n');
  const max = '1';
  const w1 = miniCluster.fork({ LESSON_MAX_CONNECTIONS: max });
  track(w1.process);
  const answers = countAnswers(w1);
  const port = await listening(miniCluster, w1);

  // Only worker 1 exists yet, so this held-open connection is surely its.
  const held = net.connect(port, '127.0.0.1');
  held.on('error', () => {});
  for (let i = 0; i < 100 && (await connectionsOf(w1)) < 1; i++) await sleep(10);
  console.log(`  worker 1: server.maxConnections = ${max}, and a client holds ${await connectionsOf(w1)} connection open to it`);

  const w2 = miniCluster.fork();
  track(w2.process);
  await listening(miniCluster, w2);
  console.log('  worker 2: no limit');

  await skipTrace(); // the start-up and the held connection: lessons 06 and 07 showed those
  const servedWhileFull: string[] = [];
  for (let i = 0; i < 6; i++) servedWhileFull.push(`w${(await get(port)).body}`);
  console.log(`  6 new connections: served by ${servedWhileFull.join(' ')}`);
  await showTrace('trace of the first one (offered to w1, refused, given to w2):',
    { max: 8, more: 'the same eight for each of the other 5 connections' });
  console.log(`  worker 1 answered newconn with {accepted: false} ${answers.refused} times; the primary put each`);
  console.log('  refused connection back through distribute(), and worker 2 took it');

  held.destroy();
  for (let i = 0; i < 100 && (await connectionsOf(w1)) > 0; i++) await sleep(10);
  const servedAfter: string[] = [];
  for (let i = 0; i < 4; i++) servedAfter.push(`w${(await get(port)).body}`);
  console.log(`  the held connection closes; 4 more connections: served by ${servedAfter.join(' ')}`);
  await new Promise<void>((resolve) => miniCluster.disconnect(resolve));
  await skipTrace();
}

// ---- Part B: a worker dies with a newconn in flight ----

async function deathMidHandoff(cluster: AnyCluster, label: string, traced: boolean): Promise<void> {
  console.log(`\n  ${label}`);
  const workers = [cluster.fork(), cluster.fork()];
  for (const w of workers) track(w.process);
  const [port] = await Promise.all(workers.map((w) => listening(cluster, w)));
  const [w1] = workers;

  w1.send('block');
  await sleep(200); // worker 1 is now stuck in its loop
  if (traced) await skipTrace();
  // Two clients at once: each idle worker gets one newconn. Worker 1's
  // stays unanswered: it cannot even read it.
  const start = performance.now();
  const clients = [1, 2].map(() => get(port, '/', 2_000).then(
    (reply) => ({ ok: true as const, worker: reply.body, ms: performance.now() - start }),
    () => ({ ok: false as const, ms: performance.now() - start }),
  ));
  await sleep(500);
  process.kill(w1.process.pid!, 'SIGKILL');
  console.log(`    worker ${w1.id} is busy and cannot answer; 2 clients connect at once; 500 ms later worker ${w1.id} is killed (SIGKILL)`);
  const results = (await Promise.all(clients)).sort((a, b) => a.ms - b.ms);
  for (const r of results) {
    if (r.ok) console.log(`    a client: answered by worker ${r.worker} after ${Math.round(r.ms)} ms`);
    else console.log(`    a client: no answer after ${Math.round(r.ms)} ms (we gave up; the primary still holds its connection)`);
  }
  if (traced) {
    await showTrace(`trace, from the two connections to the answer of worker ${workers[1].id}:`,
      { indent: '      ', filter: (e) => e.act !== 'disconnect' && e.act !== 'close' && !e.text?.startsWith('last worker') });
  }
  await new Promise<void>((resolve) => cluster.disconnect(resolve));
}

// ---- the primary ----

async function primary(): Promise<void> {
  deadline(15_000);
  console.log('Lesson 08: newconn and accepted\n');
  await refusals();
  console.log('\nPart B: a worker dies while a newconn to it is in flight');
  await deathMidHandoff(miniCluster, 'mini-cluster:', true);
  await deathMidHandoff(nodeClusterAny, `node:cluster (Node ${process.version}):`, false);
  await writeTracePage('08');
  finish(0);
}

if (miniCluster.isWorker) worker(miniCluster);
else if (nodeClusterAny.isWorker) worker(nodeClusterAny);
else await primary();
