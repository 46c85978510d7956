/**
 * Lesson 04: passing a handle. No cluster module: with plain child_process,
 * the parent binds a socket and sends it to three children over IPC; each
 * child listens on it and accepts connections for itself. This was Node's
 * original multi-process model (the herd article, docs/sources.md), and is SCHED_NONE's today.
 *
 *   parent: bind(127.0.0.1:port)  (never listens, never accepts)
 *     --send(msg, handle)--> child 1: listen(); accept() ...
 *     --send(msg, handle)--> child 2: listen(); accept() ...   one kernel socket,
 *     --send(msg, handle)--> child 3: listen(); accept() ...   three processes
 *
 * Mirrors: nothing — teaching program (the herd article's demo, docs/sources.md, with an HTTP server)
 * Read next: lessons/04-passing-a-handle/README.md, then lessons/05-thundering-herd
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { deadline, finish, get, option, sleep, track } from '../_lib/lesson.ts';

/** A raw libuv TCP handle (TCPWrap), as net._createServerHandle returns it. */
interface TCPHandle { fd: number; getsockname(out: { port?: number }): number; close(): void }

// ---- a child: receives the handle, listens on it, accepts for itself ----

function child(): void {
  let accepted = 0;
  process.on('message', (message: string, handle?: TCPHandle) => {
    if (message === 'count') return void process.send!({ accepted });
    if (message !== 'here is the socket' || handle === undefined) return;
    // listen(handle) takes a raw handle as it is: no bind, just listen().
    // From now on this process's event loop watches the shared socket, and
    // calls accept() on it when the kernel says a connection is waiting.
    const server = http.createServer((_req, res) => res.end(`accepted by pid ${process.pid}`));
    server.on('connection', () => accepted++);
    server.listen(handle as never, () => process.send!({ listening: true, fd: handle.fd }));
  });
}

// ---- the parent ----

async function parent(): Promise<void> {
  deadline(15_000);
  const connections = option('connections', 30);
  console.log('Lesson 04: passing a handle (plain child_process, no cluster)\n');

  // Bound, not listening. Undocumented, but it is exactly what Node's own
  // SharedHandle (and ours, src/master/shared-handle.ts) calls.
  const createServerHandle = (net as unknown as { _createServerHandle: (a: string, p: number, t: number) => TCPHandle | number })._createServerHandle;
  const handle = createServerHandle('127.0.0.1', 0, 4);
  if (typeof handle === 'number') throw new Error(`bind failed: ${handle}`);
  const out: { port?: number } = {};
  handle.getsockname(out);
  const port = out.port!;
  console.log(`parent (pid ${process.pid}): bound 127.0.0.1:${port} on fd ${handle.fd}, and will never listen or accept`);

  const children: ChildProcess[] = [];
  const childFd: number[] = [];
  for (let i = 0; i < option('children', 3); i++) {
    const c = track(fork(process.argv[1], [], { env: { ...process.env, LESSON_ROLE: 'child' } }));
    children.push(c);
    const listening = new Promise<{ fd: number }>((resolve) => c.once('message', resolve));
    // child_process duplicates the fd into the child (SCM_RIGHTS on a Unix socket).
    c.send('here is the socket', handle as never);
    const { fd } = await listening;
    childFd.push(fd);
    console.log(`child ${i + 1} (pid ${c.pid}): got the handle as its fd ${fd}, listening`);
  }

  // One socket, several processes: /proc shows the same "socket:[inode]".
  const link = (pid: number, fd: number): string => {
    try { return readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { return '(no /proc here)'; }
  };
  console.log(`\nthe parent's fd ${handle.fd} is ${link(process.pid, handle.fd)}; each child's fd is the same socket:`);
  children.forEach((c, i) => console.log(`  child ${i + 1}: fd ${childFd[i]} is ${link(c.pid!, childFd[i])}`));

  console.log(`\n${connections} connections, one at a time, 5 ms apart:`);
  const childPids = new Set(children.map((c) => `accepted by pid ${c.pid}`));
  let notByAChild = 0;
  for (let i = 0; i < connections; i++) {
    const { body } = await get(port);
    if (!childPids.has(body)) notByAChild++;
    await sleep(5);
  }
  // Count where the work happened: each child reports its own accepts.
  const counts = await Promise.all(children.map((c) => ask<{ accepted: number }>(c, 'count')));
  children.forEach((c, i) => console.log(`  child ${i + 1} (pid ${c.pid}) accepted ${counts[i].accepted}`));
  console.log(`  answered by anyone else (the parent included): ${notByAChild}`);
  console.log('\nWho wins each accept() is up to the kernel and the children\'s event loops: nobody chose.');
  finish(0);
}

/** Send `message` to a child and resolve with its next reply. */
function ask<T>(c: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    c.once('message', resolve);
    c.send(message);
  });
}

if (process.env.LESSON_ROLE === 'child') child();
else await parent();
