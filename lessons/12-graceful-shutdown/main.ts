/**
 * Lesson 12: graceful shutdown and supervision. This file plays two roles.
 * The "app" is a supervised cluster (a primary with a Supervisor and two
 * workers that report their health). The "operator" (what `npm run lesson
 * 12` starts) runs the app as a separate process, sends it requests, reads
 * its per-worker health figures, makes one worker too big, and stops the
 * app with SIGTERM twice: once with a slow request in flight that still
 * completes (exit code 0), once with a request that never ends, whose
 * worker is killed after the timeout (exit code 1).
 *
 *   operator ──HTTP──> app primary ──round robin──> worker 1, worker 2
 *            ──stdin "stats"──> app prints stats()      workers ──{cmd:'mini-cluster:health'}──> app
 *            ──kill -TERM──> app: disconnect every worker ... all gone => exit 0 | killTimeoutMs => SIGKILL => exit 1
 *
 * Mirrors: nothing — teaching program (the course's manager, docs/sources.md; src/supervisor/)
 * Read next: lessons/12-graceful-shutdown/README.md, then lessons/13-rr-vs-none
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import readline from 'node:readline';
import cluster from '../../src/index.ts';
import { deferSigintToPrimary, reportHealth, Supervisor, type Replacement, type ShutdownResult, type WorkerLike } from '../../src/supervisor/index.ts';
import { deadline, finish, get, sleep, track } from '../_lib/lesson.ts';

const MB = 1024 * 1024;

// ---- a worker of the app ----

function worker(): void {
  deferSigintToPrimary(); // Ctrl-C reaches the whole process group: let the primary decide
  const retained: Buffer[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const ms = Math.min(Number(url.searchParams.get('ms') ?? 0), 5_000);
    if (url.pathname === '/hang') return; // never answers: only a kill ends it
    if (url.pathname === '/slow') return void setTimeout(() => res.end(`${process.pid}\n`), ms);
    if (url.pathname === '/work') for (const end = Date.now() + ms; Date.now() < end;); // CPU time
    if (url.pathname === '/grow') retained.push(Buffer.alloc(Number(url.searchParams.get('mb') ?? 0) * MB, 1)); // memory kept
    res.end(`${process.pid}\n`);
  });
  // Requests, RSS, heap and CPU to the primary every 250 ms; also answers the supervisor's drain.
  reportHealth(server, { intervalMs: 250 });
  server.listen(0, '127.0.0.1');
}

// ---- the app's primary: a supervisor, and a line on stdout for everything it does ----

async function app(): Promise<void> {
  const say = (text: string): void => void process.stdout.write(`${text}\n`);
  const killTimeoutMs = Number(process.env.LESSON_KILL_TIMEOUT_MS);
  const sup = new Supervisor(cluster, { workers: 2, killTimeoutMs, maxRssBytes: 150 * MB });
  const o = sup.options;
  cluster.on('exit', (w, code, signal) => say(`worker ${w.id} (pid ${w.process.pid}) exited: code ${code}, signal ${signal}, exitedAfterDisconnect ${w.exitedAfterDisconnect}`));
  sup.on('memory', ({ slot, worker: w, rss, limit }: { slot: number; worker: WorkerLike; rss: number; limit: number }) =>
    say(`slot ${slot}: worker ${w.id} reports rss ${Math.round(rss / MB)} MB > maxRssBytes ${limit / MB} MB: replacing it`));
  sup.on('replaced', (r: Replacement) => say(`slot ${r.slot}: pid ${r.oldPid} replaced by pid ${r.newPid} (${r.reason}), no request lost`));
  sup.on('shutdown', (r: ShutdownResult) => say(`shutdown (${r.reason}): ${r.workers} workers, ${r.forced ? 'one had to be killed' : 'all left by themselves'}, exit code ${r.code}`));
  const port = new Promise<number>((resolve) => cluster.once('listening', (_w, address) => resolve(address.port)));
  await sup.start();
  say(`listening on 127.0.0.1:${await port}; pid ${process.pid}, killTimeoutMs ${killTimeoutMs}`);
  say(`restart limits: backoff ${o.initialDelayMs} ms doubling to ${o.maxDelayMs / 1000} s, give up after ${o.maxRestarts} crashes in ${o.restartWindowMs / 1000} s; memory limit ${o.maxRssBytes / MB} MB`);

  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() !== 'stats') return;
    say('slot  worker  pid      state  requests  rss     heap   cpu    conns  respawns  report age');
    for (const s of sup.stats()) {
      const h = s.health;
      say(`${String(s.slot).padEnd(6)}${String(s.id).padEnd(8)}${String(s.pid).padEnd(9)}${s.state.padEnd(7)}${String(h?.requests ?? '-').padStart(8)}  `
        + `${`${Math.round((h?.rss ?? 0) / MB)} MB`.padStart(6)}  ${`${Math.round((h?.heapUsed ?? 0) / MB)} MB`.padStart(5)}  ${`${h?.cpuPercent ?? 0} %`.padStart(6)}  `
        + `${String(h?.connections ?? '-').padStart(5)}  ${String(s.respawns).padStart(8)}  ${s.reportAgeMs} ms`);
    }
  });
}

// ---- the operator ----

const t0 = performance.now();
const at = (): string => `+${((performance.now() - t0) / 1000).toFixed(1).padStart(4)} s`;

interface App { proc: ChildProcess; port: number; lines: string[]; next(pattern: RegExp): Promise<string>; exit: Promise<number | null> }

/** Start the app (this file, LESSON_ROLE=app), relay its lines, and wait until it listens. */
async function startApp(killTimeoutMs: number): Promise<App> {
  const proc = track(spawn(process.execPath, ['--import', 'tsx', process.argv[1]!], {
    env: { ...process.env, LESSON_ROLE: 'app', LESSON_KILL_TIMEOUT_MS: String(killTimeoutMs) },
    stdio: ['pipe', 'pipe', 'inherit'],
  }));
  const lines: string[] = [];
  let seen = 0; // lines before this one were matched by next() already
  const waiting: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
    console.log(`  app │ ${line}`);
    lines.push(line);
    for (const w of waiting.splice(0)) (w.pattern.test(line) ? (seen = lines.length, w.resolve(line)) : waiting.push(w));
  });
  /** The next line (not yet matched) that matches: several lines can arrive in one chunk, before we ask. */
  const next = (pattern: RegExp): Promise<string> => new Promise((resolve) => {
    const index = lines.findIndex((line, i) => i >= seen && pattern.test(line));
    if (index === -1) return void waiting.push({ pattern, resolve });
    seen = index + 1;
    resolve(lines[index]);
  });
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(await next(/^listening on/))![1]);
  await next(/^restart limits/);
  return { proc, port, lines, next, exit };
}

async function stats(a: App): Promise<void> {
  a.proc.stdin!.write('stats\n');
  await a.next(/^slot  worker/);
  await a.next(/^1 /);
}

async function health(): Promise<number> {
  console.log('Part 1: per-worker health figures and a memory limit\n');
  console.log(`  ${at()}  operator: start the app (2 workers, killTimeoutMs 3000)`);
  const a = await startApp(3_000);
  // One request after another, each with 5 ms of CPU work, for 800 ms; the
  // figures are read while they run (CPU is a percent of one core over the last report's 250 ms).
  const end = performance.now() + 800;
  let sent = 0;
  const busy = (async () => {
    while (performance.now() < end) {
      await get(a.port, '/work?ms=5');
      sent++;
    }
  })();
  await sleep(600);
  console.log(`  ${at()}  operator: requests with 5 ms of CPU work each, one after another; stats meanwhile:`);
  await stats(a);
  await busy;
  console.log(`  ${at()}  operator: ${sent} requests sent in all`);

  const grown = (await get(a.port, '/grow?mb=100')).body.trim();
  console.log(`  ${at()}  operator: GET /grow?mb=100 makes pid ${grown} keep 100 MB`);
  await a.next(/replaced by pid/);
  await sleep(600);
  console.log(`  ${at()}  operator: stats again:`);
  await stats(a);
  return shutdownWithSlowRequest(a);
}

async function shutdownWithSlowRequest(a: App): Promise<number> {
  console.log('\nPart 2: SIGTERM with a slow request in flight\n');
  const slow = get(a.port, '/slow?ms=1500', 5_000).then((r) => `status ${r.status} after ${Math.round(r.ms)} ms`, (e: Error) => `failed: ${e.message}`);
  await sleep(300);
  const signalled = performance.now();
  console.log(`  ${at()}  operator: GET /slow?ms=1500 is in flight; kill -TERM ${a.proc.pid}`);
  a.proc.kill('SIGTERM');
  await sleep(200);
  const late = await get(a.port, '/', 1_000).then(() => 'served', (e: NodeJS.ErrnoException) => e.code ?? e.message);
  console.log(`  ${at()}  operator: a new connection 200 ms after the signal: ${late}`);
  const answer = await slow;
  console.log(`  ${at()}  operator: the slow request: ${answer}`);
  const code = await a.exit;
  console.log(`  ${at()}  operator: the app exited with code ${code}, ${Math.round(performance.now() - signalled)} ms after the signal`);
  return code ?? -1;
}

async function forcedShutdown(): Promise<number> {
  console.log('\nPart 3: SIGTERM with a request that never ends\n');
  console.log(`  ${at()}  operator: start the app again, killTimeoutMs 1000`);
  const a = await startApp(1_000);
  const hang = get(a.port, '/hang', 5_000).then(() => 'answered?!', (e: NodeJS.ErrnoException) => `failed: ${e.code ?? e.message}`);
  await sleep(300);
  const signalled = performance.now();
  console.log(`  ${at()}  operator: GET /hang is in flight; kill -TERM ${a.proc.pid}`);
  a.proc.kill('SIGTERM');
  const code = await a.exit;
  console.log(`  ${at()}  operator: the app exited with code ${code}, ${Math.round(performance.now() - signalled)} ms after the signal`);
  const outcome = await hang;
  console.log(`  ${at()}  operator: the hanging request: ${outcome}`);
  return code ?? -1;
}

if (cluster.isWorker) {
  worker();
} else if (process.env.LESSON_ROLE === 'app') {
  await app();
} else {
  deadline(15_000);
  console.log('Lesson 12: graceful shutdown and supervision\n');
  const clean = await health();
  const forced = await forcedShutdown();
  console.log(`\nexit codes: ${clean} after a graceful shutdown, ${forced} after a forced one`);
  finish(0);
}
