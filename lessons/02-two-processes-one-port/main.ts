/**
 * Lesson 02: two processes, one port. Two plain processes listen on the same
 * port: the second gets EADDRINUSE. The same server as two cluster workers
 * works, because only the primary ever binds the port.
 *
 *   process A: bind(port) ok      process B: bind(port) => EADDRINUSE
 *   worker 1, worker 2: listen(port) => ask the primary => the primary binds once
 *
 * Mirrors: nothing — teaching program (the internals article's opening example, docs/sources.md)
 * Read next: lessons/02-two-processes-one-port/README.md, then lessons/03-fork-and-ipc
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import cluster from '../../src/index.ts';
import { deadline, finish, get, option, track } from '../_lib/lesson.ts';

// ---- the server: the same few lines in a plain process and in a worker ----

function serve(port: number): void {
  const name = cluster.isWorker ? `worker ${cluster.worker!.id}` : 'a plain process';
  const server = http.createServer((_req, res) => res.end(`hello from ${name} (pid ${process.pid})`));
  // Without this listener EADDRINUSE would crash the process with
  // "Error: listen EADDRINUSE ...", as in the internals article. We report it instead.
  server.on('error', (err: NodeJS.ErrnoException) => {
    process.send!({ error: { code: err.code, syscall: err.syscall, message: err.message } }, () => process.exit(1));
  });
  server.listen(port, '127.0.0.1', () => process.send!({ listening: server.address() }));
}

// ---- the primary ----

interface Report { listening?: net.AddressInfo; error?: { code: string; syscall: string; message: string } }

const plain: ChildProcess[] = [];

/** Start a plain process (no cluster) running serve(port); resolve with its first report. */
function plainProcess(port: number): { child: ChildProcess; report: Promise<Report> } {
  const child = track(fork(process.argv[1], [], { env: { ...process.env, LESSON_ROLE: 'plain', LESSON_PORT: String(port) } }));
  plain.push(child);
  return { child, report: new Promise((resolve) => child.once('message', (m: Report) => resolve(m))) };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.kill();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function describe(label: string, pid: number | undefined, report: Report): void {
  if (report.listening) console.log(`  ${label} (pid ${pid}): listening on ${report.listening.address}:${report.listening.port}`);
  else console.log(`  ${label} (pid ${pid}): error ${report.error!.code} (syscall ${report.error!.syscall}): ${report.error!.message}`);
}

/** Ask the OS for a port nobody uses right now: bind port 0, read it, let it go. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Which processes hold the listening socket on `port`? Linux lists listening
 * TCP sockets in /proc/net/tcp (state 0A) with an inode number; each process
 * that has the socket open shows it as a link "socket:[inode]" in /proc/<pid>/fd.
 */
function holders(port: number, pids: Map<number, string>): string[] | null {
  let table: string;
  try {
    table = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return null; // not Linux
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const row = table.split('\n').map((line) => line.trim().split(/\s+/))
    .find((cols) => cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A');
  if (row === undefined) return [];
  const link = `socket:[${row[9]}]`;
  const found: string[] = [];
  for (const [pid, label] of pids) {
    const fds = readdirSync(`/proc/${pid}/fd`);
    if (fds.some((fd) => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`) === link; } catch { return false; } })) {
      found.push(`${label} (pid ${pid})`);
    }
  }
  return [link, ...found];
}

async function primary(): Promise<void> {
  deadline(15_000);
  console.log('Lesson 02: two processes, one port\n');
  // A fixed port, as a real service has. (Another program could take it
  // between here and our listen; on a quiet machine it does not happen.)
  const port = option('port', 0) || (await freePort());
  console.log(`the port: 127.0.0.1:${port}\n`);

  console.log('1. Two plain processes, each calling listen(port)');
  for (const label of ['process A', 'process B']) {
    const { child, report } = plainProcess(port);
    describe(label, child.pid, await report);
  }
  console.log('  The kernel allows one listening socket per address and port.');
  // Stop both (B has exited already) before the cluster takes the port.
  await Promise.all(plain.map(stop));
  console.log('  Both plain processes are gone.\n');

  console.log('2. The same server as two cluster workers, each calling listen(port)');
  const workers = [cluster.fork({ LESSON_PORT: String(port) }), cluster.fork({ LESSON_PORT: String(port) })];
  for (const worker of workers) track(worker.process as ChildProcess);
  // Print in worker id order, whichever reports first.
  const reports = await Promise.all(workers.map((w) => new Promise<Report>((resolve) => w.once('message', resolve))));
  reports.forEach((report, i) => describe(`worker ${workers[i].id}`, workers[i].process.pid, report));
  // A worker failed (see "Try this"): nothing more to show; stop them all by pid.
  if (reports.some((r) => r.error)) finish(0);
  for (let i = 0; i < 2; i++) console.log(`  GET / -> "${(await get(port)).body}"`);

  const pids = new Map<number, string>([[process.pid, 'primary'], ...workers.map((w) => [w.process.pid!, `worker ${w.id}`] as [number, string])]);
  const held = holders(port, pids);
  if (held === null) console.log('  (no /proc here: cannot show which process holds the socket)');
  else console.log(`  the listening socket ${held[0]} is open in: ${held.slice(1).join(', ')}`);
  console.log('\nOnly the primary bound the port; the workers asked it for the socket (lesson 06 shows how).');

  cluster.disconnect(() => finish(0));
}

if (process.env.LESSON_PORT !== undefined) serve(Number(process.env.LESSON_PORT));
else await primary();
