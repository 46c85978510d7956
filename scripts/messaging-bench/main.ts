/**
 * How much a request costs over a plain send: round trips per second and
 * the p50/p99 latency of one request/response (src/messaging/) against a
 * hand-rolled `send` echo, primary → worker and worker → primary, on
 * node:cluster and on mini-cluster. One worker, one round trip in flight
 * at a time (a closed loop); plain and request take turns in chunks within
 * a run, and the runs alternate node:cluster, mini-cluster (A B A B); medians.
 *
 *   npm run messaging-bench                 # 5,000 round trips per row after 500 warm-up, ~20 s
 *   npm run messaging-bench -- --quick      # 1,000 per row
 *   npm run messaging-bench -- --runs 4 --count 20000 --json
 *
 * Mirrors: nothing — a measurement of the pattern the course (docs/sources.md) builds by hand
 * Read next: src/messaging/endpoint.ts (what a request adds: an id, a timer, a table lookup)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createHub, joinHub } from '../../src/messaging/index.ts';
import type { Worker } from '../../src/index.ts';

type Impl = 'node' | 'mini';
interface Row { direction: 'primary → worker' | 'worker → primary'; method: 'plain send echo' | 'request()'; roundTripsPerSec: number; p50us: number; p99us: number }

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : fallback;
};
const quick = args.includes('--quick');
const COUNT = option('count', quick ? 1_000 : 5_000);
const WARMUP = Math.min(500, COUNT);
const RUNS = option('runs', 2);

type Figures = Omit<Row, 'direction' | 'method'>;
const CHUNK = 250;

/**
 * Time `count` sequential round trips of each method, after a warm-up of
 * both. The two take turns in chunks of 250 (plain, request, plain, ...), so
 * a busy moment on a shared machine hits both alike instead of one row.
 */
async function measurePair(plain: (i: number) => Promise<unknown>, request: (i: number) => Promise<unknown>, count: number): Promise<[Figures, Figures]> {
  for (let i = 0; i < WARMUP; i++) (await plain(i), await request(i));
  const methods = [plain, request];
  const latencies = [new Float64Array(count), new Float64Array(count)];
  const totalMs = [0, 0];
  for (let done = 0; done < count; done += CHUNK) {
    for (const m of [0, 1]) {
      const start = performance.now();
      for (let i = done; i < Math.min(count, done + CHUNK); i++) {
        const t = performance.now();
        await methods[m]!(i);
        latencies[m]![i] = performance.now() - t;
      }
      totalMs[m]! += performance.now() - start;
    }
  }
  return [0, 1].map((m) => {
    const sorted = latencies[m]!.sort();
    const pct = (p: number): number => Math.round(sorted[Math.min(count - 1, Math.floor((p / 100) * count))]! * 1000);
    return { roundTripsPerSec: Math.round(count / (totalMs[m]! / 1000)), p50us: pct(50), p99us: pct(99) };
  }) as [Figures, Figures];
}

/** A plain echo, as one writes it by hand: send, and wait for the next message that is the echo. */
function plainEcho(channel: { send(m: object): unknown; on(e: 'message', l: (m: any) => void): unknown }): (i: number) => Promise<unknown> {
  let waiting: ((m: unknown) => void) | null = null;
  channel.on('message', (m: { bench?: string }) => {
    if (m?.bench !== 'echoed' || waiting === null) return;
    const resolve = waiting;
    waiting = null;
    resolve(m);
  });
  return (i) => new Promise((resolve) => {
    waiting = resolve;
    channel.send({ bench: 'echo', n: i });
  });
}

const impl: Impl = process.env.CLUSTER_IMPL === 'node' ? 'node' : 'mini';
const cluster = (impl === 'node' ? (await import('node:cluster')).default : (await import('../../src/index.ts')).default) as unknown as typeof import('../../src/index.ts').default;

if (cluster.isWorker) {
  // ---- the worker: echo plain messages, answer 'echo' requests, and run the worker → primary loops on request ----
  const link = joinHub(cluster);
  process.on('message', (m: { bench?: string; n?: number }) => {
    if (m?.bench === 'echo') process.send!({ bench: 'echoed', n: m.n });
  });
  link.handle('echo', (n) => n);
  link.handle('run', (count: number) => measurePair(plainEcho(process as never), (i) => link.request('primary', 'echo', i), count));
  await link.ready;
} else if (process.env.BENCH_ROLE === 'primary') {
  // ---- one measured run: a primary, one worker, four rows ----
  const hub = createHub(cluster);
  hub.handle('echo', (n) => n);
  const worker = cluster.fork() as Worker;
  console.log(JSON.stringify({ pid: worker.process.pid }));
  // The plain echo from the worker's side: the primary echoes its messages.
  worker.on('message', (m: { bench?: string; n?: number }) => {
    if (m?.bench === 'echo') worker.send({ bench: 'echoed', n: m.n });
  });
  await hub.joined(worker);
  const rows: Row[] = [];
  const count = Number(process.env.BENCH_COUNT);
  const [plainOut, requestOut] = await measurePair(plainEcho(worker), (i) => hub.request(worker, 'echo', i), count);
  const [plainIn, requestIn] = await hub.request<[Figures, Figures]>(worker, 'run', count, { timeoutMs: 120_000 });
  rows.push({ direction: 'primary → worker', method: 'plain send echo', ...plainOut }, { direction: 'primary → worker', method: 'request()', ...requestOut });
  rows.push({ direction: 'worker → primary', method: 'plain send echo', ...plainIn }, { direction: 'worker → primary', method: 'request()', ...requestIn });
  console.log(JSON.stringify({ impl, rows }));
  worker.process.kill('SIGKILL');
  process.exit(0);
} else {
  // ---- the runner: A B A B, each run its own primary process, then medians ----
  const runs: Record<Impl, Row[][]> = { node: [], mini: [] };
  const order: Impl[] = Array.from({ length: RUNS * 2 }, (_, i) => (i % 2 === 0 ? 'node' : 'mini'));
  const t0 = performance.now();
  for (const [i, which] of order.entries()) {
    process.stderr.write(`run ${i + 1}/${order.length}: ${which === 'node' ? 'node:cluster' : 'mini-cluster'} ...\n`);
    runs[which].push(await runOnce(which));
  }
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : Math.round((s[s.length / 2 - 1]! + s[s.length / 2]!) / 2);
  };
  const table: (Row & { cluster: string })[] = [];
  for (const which of ['node', 'mini'] as Impl[]) {
    for (const [r, first] of runs[which][0]!.entries()) {
      const of = (key: 'roundTripsPerSec' | 'p50us' | 'p99us'): number => median(runs[which].map((rowsOfRun) => rowsOfRun[r]![key]));
      table.push({ ...first, cluster: which === 'node' ? 'node:cluster' : 'mini-cluster', roundTripsPerSec: of('roundTripsPerSec'), p50us: of('p50us'), p99us: of('p99us') });
    }
  }
  if (args.includes('--json')) {
    console.log(JSON.stringify({ count: COUNT, warmup: WARMUP, runs: RUNS, node: process.version, table, raw: runs }, null, 2));
  } else {
    console.log(`messaging-bench: one worker, one round trip in flight, ${COUNT} per row after ${WARMUP} warm-up, plain and request in turns of ${CHUNK};`);
    console.log(`median of ${RUNS} runs per cluster, run A B A B (${order.map((o) => (o === 'node' ? 'N' : 'M')).join(' ')}); Node ${process.version}, ${Math.round((performance.now() - t0) / 1000)} s\n`);
    console.log('direction         method           cluster        round trips/s   p50 µs   p99 µs   vs plain');
    for (const row of table) {
      const plain = table.find((r) => r.cluster === row.cluster && r.direction === row.direction && r.method === 'plain send echo')!;
      const ratio = row.method === 'request()' ? `${(row.roundTripsPerSec / plain.roundTripsPerSec).toFixed(2)}x` : '';
      console.log(`${row.direction.padEnd(18)}${row.method.padEnd(17)}${row.cluster.padEnd(15)}${String(row.roundTripsPerSec).padStart(13)}${String(row.p50us).padStart(9)}${String(row.p99us).padStart(9)}   ${ratio}`.trimEnd());
    }
  }
}

/** One primary process for `which`; its worker's pid is killed too, whatever happens. */
function runOnce(which: Impl): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, CLUSTER_IMPL: which, BENCH_ROLE: 'primary', BENCH_COUNT: String(COUNT), MINI_CLUSTER_TRACE: '', MINI_CLUSTER_STEP: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pids = [child.pid!];
    let out = '';
    let rows: Row[] | null = null;
    child.stdout.on('data', (chunk) => {
      out += chunk;
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        const record = JSON.parse(out.slice(0, nl));
        out = out.slice(nl + 1);
        if (record.pid) pids.push(record.pid);
        if (record.rows) rows = record.rows;
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      if (rows) resolve(rows);
      else reject(new Error(`the ${which} run ended (code ${code}) without figures`));
    });
  });
}
