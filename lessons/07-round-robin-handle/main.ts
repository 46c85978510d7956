/**
 * Lesson 07: RoundRobinHandle. Part 1 drives the engine's real class by
 * hand, on a real listening socket with real client connections, with two
 * stand-in workers whose answers we choose, and prints its two queues after
 * every step: `free` (idle workers) and `handles` (waiting connections).
 * Part 2 is a real cluster: idle workers take sequential connections in
 * strict rotation.
 *
 *   connection => distribute(handle) => handles.push; the oldest free worker => handoff(worker)
 *   handoff(worker) => newconn + handle => {accepted} => close our copy (or distribute again) => handoff(worker)
 *
 * Mirrors: nothing — teaching program (drives src/master/round-robin-handle.ts)
 * Read next: lessons/07-round-robin-handle/README.md, then lessons/08-newconn-and-accepted
 */
// First: turns the engine's trace on (into a temp file) before src/ loads.
import '../_lib/trace-on.ts';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import cluster, { type Worker } from '../../src/index.ts';
import { RoundRobinHandle } from '../../src/master/round-robin-handle.ts';
import { CMD, internal, type RawHandle } from '../../src/ipc.ts';
import { deadline, finish, get, option, sleep, track } from '../_lib/lesson.ts';
import { showTrace, writeTracePage } from '../_lib/trace.ts';

// ---- Part 1: the class, by hand ----

/**
 * A stand-in for a worker: an id and a `process` whose send() records what
 * the primary sends instead of writing it to a pipe. We answer by feeding a
 * reply into the same `internal()` listener a real ChildProcess would call.
 */
class StandIn {
  /** newconn messages sent to this worker and not yet answered (at most one). */
  readonly inbox: { seq: number; client: string }[] = [];
  readonly process = {
    connected: true,
    send: (message: { seq: number; act?: string }, handle?: RawHandle): boolean => {
      if (message.act !== 'newconn') return true;
      this.inbox.push({ seq: message.seq, client: name(handle!) });
      newconnsSent++;
      return true;
    },
  };
  readonly deliver: (message: unknown) => void;
  constructor(readonly id: number) {
    this.deliver = internal(this as unknown as Worker, () => {});
  }
  /** Answer the oldest newconn, as child.ts's onconnection would. */
  answer(accepted: boolean): string {
    const { seq, client } = this.inbox.shift()!;
    this.deliver({ cmd: CMD, ack: seq, accepted, seq: 0 });
    return client;
  }
}

// Client connections get letters (A, B, ...) in the order the primary accepts them.
const names = new WeakMap<object, string>();
function name(handle: object): string {
  if (!names.has(handle)) names.set(handle, String.fromCharCode(65 + nextLetter++));
  return names.get(handle)!;
}
let nextLetter = 0;
/** Every newconn ever sent (a refused connection is sent again). */
let newconnsSent = 0;

function state(rr: RoundRobinHandle, workers: StandIn[]): string {
  const free = [...rr.free.keys()].map((id) => `w${id}`).join(',');
  const handles = rr.handles.map(name).join(',');
  const inflight = workers.filter((w) => w.inbox.length > 0).map((w) => `w${w.id}<-${w.inbox[0].client}`).join(' ') || '-';
  return `      free=[${free}]  handles=[${handles}]  in flight: ${inflight}`;
}

/** Our view of the queues, then the engine's own trace lines for the same step. */
async function show(rr: RoundRobinHandle, workers: StandIn[]): Promise<void> {
  console.log(state(rr, workers));
  await showTrace('', { indent: '      ' });
}

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 2_000) throw new Error('lesson 07: the primary never saw the connection');
    await sleep(5);
  }
}

async function byHand(): Promise<void> {
  console.log('Part 1: the RoundRobinHandle class, driven by hand\n');
  const key = '127.0.0.1:0:4:undefined:0';
  const rr = new RoundRobinHandle(key, '127.0.0.1', { address: '127.0.0.1', port: 0, addressType: 4 });
  const [w1, w2] = [new StandIn(1), new StandIn(2)];
  const workers = [w1, w2];
  const clients: net.Socket[] = [];
  // The primary has accepted the n-th client once it was either sent or queued.
  const sawConnection = (n: number) => () => newconnsSent + rr.handles.length >= n;

  // add() answers once the primary is listening: {sockname} (lesson 06's reply).
  const added = (w: StandIn): Promise<number> => new Promise((resolve) =>
    rr.add(w as unknown as Worker, (_errno, reply) => resolve(reply!.sockname!.port)));
  const port = await added(w1);
  await added(w2);
  console.log(`  1. new RoundRobinHandle("${key}") listens on 127.0.0.1:${port}; add(w1), add(w2)`);
  await show(rr, workers);

  /** A client connects; wait until the primary has accepted it. */
  const connect = async (label: string, nth: number): Promise<void> => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {}); // our stand-ins never serve it: the socket just closes
    clients.push(socket);
    await until(sawConnection(nth));
    console.log(label);
    await show(rr, workers);
  };
  await connect('  2. client A connects: distribute(A); the oldest free worker, w1, gets it: handoff(w1) sends newconn', 1);
  await connect('  3. client B connects: w2 is free, so handoff(w2)', 2);
  await connect('  4. client C connects: nobody is free, so C waits in handles', 3);

  const answer = async (w: StandIn, accepted: boolean, what: string): Promise<void> => {
    const client = w.answer(accepted);
    console.log(`  ${what.replace('%', client)}`);
    await show(rr, workers);
  };
  await answer(w1, true, '5. w1 answers {accepted: true} for %: the primary closes its copy; handoff(w1) takes C from handles');
  await answer(w2, true, '6. w2 answers {accepted: true} for %: handles is empty, so w2 goes back to free');
  await answer(w1, true, '7. w1 answers {accepted: true} for %: w1 joins free, after w2');
  await connect('  8. client D connects: the oldest free worker is w2', 4);
  await answer(w2, false, '9. w2 answers {accepted: false} for % (say, at maxConnections): distribute(D) again: w1 gets it');
  await answer(w1, true, '10. w1 answers {accepted: true} for %: both idle again');

  // Stand-ins leave: remove() returns true for the last one, and the listener closes.
  rr.remove(w1 as unknown as Worker);
  const last = rr.remove(w2 as unknown as Worker);
  // A new client tells whether the listening socket is really closed.
  const outcome = await new Promise<string>((resolve) => {
    const probe = net.connect(port, '127.0.0.1', () => (probe.destroy(), resolve('a connection')));
    probe.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
  console.log(`  11. remove(w1), remove(w2): the last remove() returns ${last}; a new client on port ${port} gets ${outcome}${outcome === 'ECONNREFUSED' ? ': the listening socket is closed' : ''}`);
  await showTrace('', { indent: '      ' });
  for (const socket of clients) socket.destroy();
}

// ---- Part 2: a real cluster, idle workers, sequential connections ----

async function live(): Promise<void> {
  const n = option('workers', 3);
  const connections = option('connections', 3 * n);
  console.log(`\nPart 2: a real cluster, ${n} idle workers, ${connections} connections one after another\n`);
  const workers = Array.from({ length: n }, () => cluster.fork());
  // The order in which the primary added the workers (the order their
  // queryServer arrived) is the order of `free`, and so of the rotation.
  const added: number[] = [];
  for (const w of workers) {
    track(w.process as ChildProcess);
    (w.process as ChildProcess).prependListener('internalMessage', (m: { act?: string }) => m.act === 'queryServer' && added.push(w.id));
  }
  let listening = 0;
  const port = await new Promise<number>((resolve) =>
    cluster.on('listening', (_w, address) => ++listening === n && resolve(address.port)));
  console.log(`  workers listening, in the order the primary added them: ${added.map((id) => `w${id}`).join(' ')}`);
  // From the start-up, only the RoundRobinHandle's state lines: add() fills free in that order.
  await showTrace('trace, the RoundRobinHandle as each worker was added:', { filter: (e) => e.kind === 'state' });
  const order: string[] = [];
  for (let i = 0; i < connections; i++) order.push(`w${(await get(port)).body}`);
  console.log(`  served by: ${order.join(' ')}`);
  await showTrace(`trace of the first ${Math.min(n, connections)} connections (four lines per connection: pick, newconn, answer, back to free):`,
    { max: 4 * n, more: `the same four for each of the other ${Math.max(0, connections - n)} connections` });
  const strict = order.every((w, i) => i < n || w === order[i - n]) && new Set(order.slice(0, n)).size === n;
  console.log(strict
    ? '  strict rotation: yes (each worker re-enters free at the back after it answers)'
    : '  strict rotation: no (connections overlapped: whoever answered first got the next one)');
}

function worker(): void {
  http.createServer((_req, res) => res.end(String(cluster.worker!.id))).listen(0, '127.0.0.1');
}

if (cluster.isWorker) {
  worker();
} else {
  deadline(15_000);
  console.log('Lesson 07: RoundRobinHandle\n');
  await byHand();
  await live();
  cluster.disconnect(() => void writeTracePage('07').then(() => finish(0)));
}
