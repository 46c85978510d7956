/**
 * Lesson 01: one process, one core. A CPU-bound HTTP handler is loaded with
 * autocannon, first in one plain process, then in a cluster with one worker
 * per core, alternately; we compare requests served and CPU obtained.
 *
 *   autocannon => one process  (at most 1 core)   vs   autocannon => cluster (up to every core)
 *
 * Mirrors: nothing — teaching program (the first experiment of the tutorial in docs/sources.md)
 * Read next: lessons/01-one-process-one-core/README.md, then lessons/02-two-processes-one-port
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import cluster from '../../src/index.ts';
import { deadline, finish, option, track } from '../_lib/lesson.ts';

// ---- the server (a plain process, or a cluster worker: the same code) ----

// The tutorial's handler (docs/sources.md): ten million empty iterations, a few ms of pure CPU.
// While it runs, the process's one JavaScript thread can do nothing else.
const ITERATIONS = 1e7;
let served = 0;

function busyHandler(_req: http.IncomingMessage, res: http.ServerResponse): void {
  for (let i = ITERATIONS; i > 0; i--) {
    // burn CPU, as a handler rendering a big template or hashing a password would
  }
  served++;
  res.end(`Hello from ${process.pid}\n`);
}

function serve(): void {
  const server = http.createServer(busyHandler).listen(0, '127.0.0.1', () => {
    // A cluster worker needs not report its port: the primary gets 'listening'.
    if (!cluster.isWorker) process.send!({ port: (server.address() as { port: number }).port });
  });
  // The primary asks each server what it did: counted where the work happens.
  process.on('message', (message) => {
    if (message === 'stats') process.send!({ stats: { served, cpuMs: cpuMs() } });
  });
}

/** CPU time this process has used so far (user + system), in ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

// ---- the primary: start both setups, load them in turn, compare ----

// autocannon ships no types; this is the part of its programmatic API we use.
interface Result { requests: { total: number }; latency: { average: number }; duration: number; errors: number; non2xx: number }
type Autocannon = (opts: { url: string; connections: number; duration: number }, cb: (err: Error | null, res: Result) => void) => unknown;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const CONNECTIONS = 20;

function load(port: number, seconds: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, duration: seconds }, (err, result) =>
      err ? reject(err) : resolve(result));
  });
}

/** Anything we can ask for stats: a ChildProcess, or a cluster Worker. */
interface Asker { send(message: string): boolean; on(event: 'message', cb: (m: { stats?: Stats }) => void): unknown; off(event: 'message', cb: (m: { stats?: Stats }) => void): unknown }
interface Stats { served: number; cpuMs: number }

function stats(server: Asker): Promise<Stats> {
  return new Promise((resolve) => {
    const onMessage = (m: { stats?: Stats }): void => {
      if (m.stats === undefined) return;
      server.off('message', onMessage);
      resolve(m.stats);
    };
    server.on('message', onMessage);
    server.send('stats');
  });
}

/** Load one setup for `seconds`; return what autocannon saw and the CPU its processes used. */
async function measure(port: number, servers: Asker[], seconds: number): Promise<{ result: Result; cores: number }> {
  const before = await Promise.all(servers.map(stats));
  const result = await load(port, seconds);
  const after = await Promise.all(servers.map(stats));
  const cpu = after.reduce((sum, s, i) => sum + s.cpuMs - before[i].cpuMs, 0);
  return { result, cores: cpu / (result.duration * 1000) };
}

async function primary(): Promise<void> {
  deadline(option('deadline', 15_000));
  const seconds = option('seconds', 1); // autocannon counts whole seconds
  const rounds = option('rounds', 3);
  const cores = os.availableParallelism();
  const n = option('workers', cores); // one worker per core, as the tutorial does

  console.log('Lesson 01: one process, one core\n');
  console.log(`The handler spins ${ITERATIONS.toLocaleString('en')} empty loop iterations per request (~${timeOneRequest().toFixed(1)} ms of CPU here).`);
  console.log(`This machine has ${cores} CPU cores.\n`);

  // Start both setups at once (they sit idle until loaded).
  // A plain process, as `node app.js` would start it: not a cluster worker.
  const single = track(fork(process.argv[1], [], { env: { ...process.env, LESSON_ROLE: 'single' } }));
  // A cluster: n workers, all serving one port.
  const workers = Array.from({ length: n }, () => cluster.fork());
  for (const worker of workers) track(worker.process as ChildProcess);
  const [singlePort, clusterPort] = await Promise.all([
    new Promise<number>((resolve) => single.once('message', (m: { port: number }) => resolve(m.port))),
    new Promise<number>((resolve) => {
      let listening = 0;
      cluster.on('listening', (_worker, address) => {
        if (++listening === n) resolve(address.port);
      });
    }),
  ]);
  console.log(`one process: pid ${single.pid}, port ${singlePort}`);
  console.log(`cluster:     primary ${process.pid}, workers ${workers.map((w) => w.process.pid).join(' ')}, port ${clusterPort}\n`);

  // Alternate A B A B: other programs on a shared machine then hurt both
  // setups alike, and the median ratio stays meaningful.
  console.log(`autocannon: ${CONNECTIONS} connections, ${seconds} s per run, the two setups alternately`);
  const ratios: number[] = [];
  const singleCores: number[] = [];
  const clusterCores: number[] = [];
  const singleRate: number[] = [];
  const clusterRate: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const a = await measure(singlePort, [single], seconds);
    report(round, 'one process', a);
    const b = await measure(clusterPort, workers, seconds);
    report(round, `cluster (${n})`, b);
    ratios.push(b.result.requests.total / Math.max(1, a.result.requests.total));
    singleCores.push(a.cores);
    clusterCores.push(b.cores);
    singleRate.push(a.result.requests.total / (a.cores * a.result.duration));
    clusterRate.push(b.result.requests.total / (b.cores * b.result.duration));
  }

  // Count from the servers, never from the load generator (docs/sources.md, the field notes).
  const perWorker = await Promise.all(workers.map(stats));
  console.log(`\nrequests per worker (counted by the workers): ${perWorker.map((s, i) => `worker ${workers[i].id} ${s.served}`).join(', ')}`);
  console.log(`CPU used, median: one process ${median(singleCores).toFixed(2)} cores, cluster ${median(clusterCores).toFixed(2)} cores`);
  console.log(`cluster / one process: ${median(ratios).toFixed(2)}x requests (rounds: ${ratios.map((r) => r.toFixed(2) + 'x').join(', ')})`);
  // Each request costs the same CPU wherever it runs, so requests follow cores.
  console.log(`requests per CPU-second: one process ${median(singleRate).toFixed(0)}, cluster ${median(clusterRate).toFixed(0)}`);
  // Other programs on this machine take CPU too: say how busy it was.
  console.log(`machine load (1-minute average) at the end: ${os.loadavg()[0].toFixed(1)} on ${cores} cores`);
  console.log(`\nThe tutorial in docs/sources.md measured ~4x (3k -> 14k requests in 10 s) with 8 workers, one per core.`);
  console.log(`Here the ceiling is about ${Math.min(n, cores)}x (one round can pass it by noise), and only if the cluster gets ${Math.min(n, cores)} cores: autocannon and`);
  console.log(`anything else running on this machine take their share first.`);

  cluster.disconnect(() => finish(0));
}

/** Best of 5 runs of the handler's loop, once the JIT has compiled it. */
function timeOneRequest(): number {
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    for (let i = ITERATIONS; i > 0; i--) {
      // the same empty loop as the handler
    }
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = (sorted.length - 1) / 2;
  return (sorted[Math.floor(mid)] + sorted[Math.ceil(mid)]) / 2;
}

function report(round: number, label: string, { result, cores }: { result: Result; cores: number }): void {
  const perSecond = (result.requests.total / result.duration).toFixed(0);
  console.log(`  round ${round}  ${label.padEnd(12)} ${String(result.requests.total).padStart(5)} requests  ${perSecond.padStart(4)} req/s` +
    `  latency avg ${result.latency.average.toFixed(0).padStart(3)} ms  CPU ${cores.toFixed(2)} cores  errors ${result.errors + result.non2xx}`);
}

if (process.env.LESSON_ROLE === 'single' || cluster.isWorker) serve();
else await primary();
