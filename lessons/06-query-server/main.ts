/**
 * Lesson 06: queryServer. A worker's ordinary `server.listen(0, '127.0.0.1')`
 * never binds: it becomes a `queryServer` message, the primary builds a key,
 * binds (once per key) and replies with its socket's address (`sockname`);
 * the worker's server then holds a faux handle. We print every internal
 * message both ways, then look inside the worker's server.
 *
 *   worker: listen() => queryServer {address, port, addressType, index} => primary
 *   primary: key = "address:port:addressType:fd:index" => bind once => reply {key, sockname}
 *   worker: server._handle = faux handle => 'listening' => {act:'listening'} => primary
 *
 * Mirrors: nothing — teaching program (docs/sources.md, the internals article: "how does a worker's listen become queryServer")
 * Read next: lessons/06-query-server/README.md, then lessons/07-round-robin-handle
 */
// First: turns the engine's trace on (into a temp file) before src/ loads.
import '../_lib/trace-on.ts';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import cluster, { type Worker } from '../../src/index.ts';
import { deadline, finish, track } from '../_lib/lesson.ts';
import { showTrace, writeTracePage } from '../_lib/trace.ts';

const CMD = 'NODE_MINI_CLUSTER'; // the tag on every internal message (src/ipc.ts)

// ---- a worker: an ordinary HTTP server, plus a window on its internal messages ----

/** What a worker tells the primary about one of its servers. */
interface ServerReport { port: number; handle: string; fd: unknown }

function report(server: http.Server): ServerReport {
  const handle = (server as unknown as { _handle: { constructor: { name: string }; fd?: number } })._handle;
  return { port: (server.address() as AddressInfo).port, handle: handle.constructor.name, fd: handle.fd };
}

function worker(): void {
  // Nothing cluster-specific here: this is the code of any HTTP server.
  const server = http.createServer((_req, res) => res.end('hi'));
  server.listen(0, '127.0.0.1', () => process.send!({ report: report(server) }));

  // On request: a second listen on the same address and port 0, in the same worker.
  process.on('message', (m) => {
    if (m !== 'listen again') return;
    const second = http.createServer((_req, res) => res.end('second'));
    second.listen(0, '127.0.0.1', () => process.send!({ report: report(second) }));
  });
}

// ---- the primary ----

/** One internal message as a short line: without the cmd tag every one carries. */
function show(message: Record<string, unknown>): string {
  const { cmd: _cmd, ...rest } = message;
  return JSON.stringify(rest);
}

function watch(w: Worker): Promise<ServerReport> {
  const name = `worker ${w.id}`;
  // worker -> primary: these arrive as 'internalMessage' events on the
  // ChildProcess. prependListener: print before the engine's listener answers.
  (w.process as ChildProcess).prependListener('internalMessage', (message: Record<string, unknown>) => {
    if (message.cmd !== CMD) return;
    console.log(`  ${name} -> primary  ${show(message)}`);
    if (message.act === 'queryServer') {
      // The key the primary builds (src/master/onmessage.ts, queryServer).
      const { address, port, addressType, fd, index } = message;
      console.log(`                     key "${address}:${port}:${addressType}:${fd}:${index}" (address:port:addressType:fd:index)`);
    }
  });
  // primary -> worker: wrap this ChildProcess's send(), which the engine's
  // sendHelper calls, to print what goes out, in the order it goes out.
  // (In the worker these arrive as 'internalMessage' events.)
  const child = w.process as ChildProcess;
  const send = child.send.bind(child) as (...args: unknown[]) => boolean;
  child.send = ((message: Record<string, unknown>, handle?: object, ...rest: unknown[]) => {
    if (message?.cmd === CMD) console.log(`  primary -> ${name}  ${show(message)}${handle ? `  + a ${handle.constructor.name} handle` : ''}`);
    return send(message, handle, ...rest);
  }) as ChildProcess['send'];
  // Wait for the worker's own report and for its 'listening' act, which
  // comes just after it, so that the next step starts on a quiet channel.
  return Promise.all([nextReport(w), new Promise((resolve) => w.once('listening', resolve))]).then(([r]) => r);
}

function nextReport(w: Worker): Promise<ServerReport> {
  return new Promise((resolve) => {
    const onMessage = (m: { report?: ServerReport }): void => {
      if (m.report === undefined) return;
      w.off('message', onMessage);
      resolve(m.report);
    };
    w.on('message', onMessage);
  });
}

function describe(label: string, r: ServerReport): void {
  console.log(`  ${label}: server.address().port ${r.port}, server._handle is a ${r.handle}, _handle.fd ${r.fd ?? 'undefined'}`);
}

async function primary(): Promise<void> {
  deadline(15_000);
  const rr = cluster.schedulingPolicy === cluster.SCHED_RR;
  console.log('Lesson 06: queryServer\n');
  console.log(`policy ${rr ? 'SCHED_RR' : 'SCHED_NONE'}; every message below also carries cmd: '${CMD}' (left out)`);

  // One worker at a time, so each conversation reads top to bottom.
  console.log('\n1. worker 1 calls server.listen(0, \'127.0.0.1\')');
  const w1 = cluster.fork();
  track(w1.process as ChildProcess);
  const first = await watch(w1);
  describe('worker 1', first);
  await showTrace('the engine\'s trace of this step (MINI_CLUSTER_TRACE: each line written by the receiver, ⇒ what it did):');

  console.log('\n2. worker 2 runs the same code');
  const w2 = cluster.fork();
  track(w2.process as ChildProcess);
  const second = await watch(w2);
  describe('worker 2', second);
  console.log(`  same key, so the same listener: both report port ${second.port === first.port ? `${first.port}, the primary's` : `${first.port} and ${second.port} (unexpected!)`}`);
  await showTrace('trace:');

  console.log('\n3. worker 1 listens a second time, on the same address and port 0');
  const again = Promise.all([nextReport(w1), new Promise((resolve) => w1.once('listening', resolve))]);
  w1.send('listen again');
  const [third] = await again;
  describe('worker 1, second server', third);
  console.log(`  index 1 makes a new key, so a new listener: port ${third.port} ${third.port === first.port ? '(unexpected: the same!)' : 'is a different port'}`);
  await showTrace('trace:');

  console.log('\n4. cluster.disconnect(): each worker closes its servers, and each close is a message');
  cluster.disconnect(() => void showTrace('trace:').then(() => writeTracePage('06')).then(() => finish(0)));
}

if (cluster.isWorker) worker();
else await primary();
