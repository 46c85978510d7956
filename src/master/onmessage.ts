/**
 * The primary's answers to worker messages: Node's `onmessage` dispatch
 * table and the functions it calls, `queryServer` first among them.
 *
 * Mirrors: methodMessageMapping, onmessage, online, exitedAfterDisconnect,
 *          queryServer, listening and close in lib/internal/cluster/primary.js (Node v20)
 * Read next: src/master/round-robin-handle.ts
 *
 *   worker                                      primary
 *     |-- {act:'queryServer', index:0, port:0, seq:1} -->| key = "127.0.0.1:0:4:undefined:0"
 *     |                                                  | handles.get(key) ?? new RoundRobinHandle
 *     |<-- {ack:1, errno:null, key, sockname} -----------| handle.add(worker, send)
 *     |-- {act:'listening', port:41234} ---------------->| emits 'listening'(worker, address)
 */
import os from 'node:os';
import path from 'node:path';
import { sendHelper, type Envelope, type Received, type WorkerToPrimary } from '../ipc.ts';
import type { Worker } from '../worker.ts';
import { decide } from '../trace.ts';
import { RoundRobinHandle } from './round-robin-handle.ts';
import { ScheduledHandle } from './scheduled-handle.ts';
import { createScheduler } from './scheduler.ts';
import { SharedHandle } from './shared-handle.ts';
import { ReusePortHandle } from './reuseport-handle.ts';
import { validate } from './validate.ts';
import { cluster, handles, policy, SCHED_REUSEPORT, SCHED_RR } from './primary.ts';

// libuv reports errors as negative errno values.
const UV_EADDRINUSE = -os.constants.errno.EADDRINUSE;

/** Each worker → primary act, with the message it comes with. */
type Acts = { [M in WorkerToPrimary as M['act']]: Received<M> };
type Handlers = { [A in keyof Acts]: (worker: Worker, message: Acts[A]) => void };

const methodMessageMapping: Handlers = { close, exitedAfterDisconnect, listening, online, queryServer, connections };

/** A message from `this` worker (ipc.ts internal() calls this for everything that is not a reply). */
export function onmessage(this: Worker, message: Envelope): void {
  // DIVERGENCE: Node trusts its workers; validate() makes sure a message
  // has the fields its act needs before anything acts on it.
  if (!validate(message, (problem) => warnMalformed(this, problem))) return;
  dispatch(this, message);
}

function dispatch<A extends keyof Acts>(worker: Worker, message: Acts[A]): void {
  const handler: Handlers[A] = methodMessageMapping[message.act as A];
  handler(worker, message);
}

const malformed = new Map<number, number>(); // malformed messages per worker id

/**
 * DIVERGENCE: a bad message could crash Node's primary or be dropped
 * silently. We warn (the first 10 per worker, then at 100, 1000, ...) and
 * otherwise ignore it.
 */
function warnMalformed(worker: Worker, problem: string): void {
  decide(`ignored: ${problem}`);
  const count = (malformed.get(worker.id) ?? 0) + 1;
  malformed.set(worker.id, count);
  if (count <= 10 || Number.isInteger(Math.log10(count))) {
    process.emitWarning(`worker ${worker.id} sent a malformed internal message (${problem}); ignored [${count} so far]`, 'MiniClusterWarning');
  }
}

function online(worker: Worker): void {
  decide("state=online, emit 'online'");
  worker.state = 'online';
  worker.emit('online');
  cluster.emit('online', worker);
}

function exitedAfterDisconnect(worker: Worker, message: Acts['exitedAfterDisconnect']): void {
  decide('exitedAfterDisconnect=true, ack');
  worker.exitedAfterDisconnect = true;
  send(worker, { ack: message.seq });
}

/**
 * A worker's listen(). The key is the tuple plus the worker's listen index
 * (see child.ts): the N-th listen on a tuple in every worker has the same
 * key, so they share one handle. The first query for a key creates it,
 * which binds the socket; the others join it.
 */
function queryServer(worker: Worker, message: Acts['queryServer']): void {
  if (worker.exitedAfterDisconnect) return; // Stop processing if worker already disconnecting
  // exercise 06: begin key
  const key = `${message.address}:${message.port}:${message.addressType}:${message.fd}:${message.index}`;
  // exercise 06: end
  let handle = handles.get(key);
  if (handle === undefined) {
    let address = message.address;
    // A Unix socket path is limited to ~100 bytes: bind by the shorter of
    // the absolute and the cwd-relative path. The key keeps the absolute one.
    if (message.port !== null && message.port < 0 && typeof address === 'string' && process.platform !== 'win32') {
      const relative = path.relative(process.cwd(), address);
      if (relative.length < address.length) address = relative;
    }
    // SIMPLIFIED: no UDP here, so no "UDP always gets a SharedHandle" branch.
    // Ours: SCHED_REUSEPORT applies to TCP ports; pipes and fds go round robin.
    const tcp = message.port !== null && message.port >= 0 && (message.addressType === 4 || message.addressType === 6);
    // exercise 06: begin create
    if (policy() === SCHED_REUSEPORT && tcp) handle = new ReusePortHandle(key, address, message);
    else if (policy() === SCHED_RR || policy() === SCHED_REUSEPORT) handle = roundRobinHandle(key, address, message);
    else handle = new SharedHandle(key, address, message);
    handles.set(key, handle);
    // exercise 06: end
    decide(`new ${handle.constructor.name} for ${key}`);
  } else {
    decide(`joins the ${handle.constructor.name} for ${key}`);
  }
  const owner = handle;
  if (!owner.data) owner.data = message.data;
  const added = owner.add(worker, (errno, reply, rawHandle) => {
    // A failed bind forgets the key, to give other workers a chance to retry.
    if (errno && handles.get(key) === owner) handles.delete(key);
    const track = owner instanceof ScheduledHandle && owner.countsConnections ? { track: true } : {};
    send(worker, { errno, key, ack: message.seq, data: owner.data, ...track, ...reply }, rawHandle);
  });
  if (!added) {
    // DIVERGENCE: Node asserts (and crashes) on a second query for the same key.
    process.emitWarning(`worker ${worker.id} asked twice for ${key}; refused`, 'MiniClusterWarning');
    send(worker, { errno: UV_EADDRINUSE, key, ack: message.seq, data: null });
  }
}

/**
 * DIVERGENCE (ours): a RoundRobinHandle as Node makes it, or, with
 * setupPrimary({ scheduler }), a ScheduledHandle; maxPending bounds either.
 */
function roundRobinHandle(key: string, address: string | null, message: Acts['queryServer']): RoundRobinHandle {
  const { scheduler: setting, maxPending } = cluster.settings;
  const scheduler = createScheduler(setting);
  return scheduler === null
    ? new RoundRobinHandle(key, address, message, undefined, { maxPending })
    : new ScheduledHandle(key, address, message, scheduler, { maxPending });
}

function listening(worker: Worker, message: Acts['listening']): void {
  const { addressType, address, port, fd } = message;
  const info = { addressType, address, port, fd };
  decide(`state=listening, emit 'listening' on port ${port}`);
  worker.state = 'listening';
  worker.emit('listening', info);
  cluster.emit('listening', worker, info);
}

/** The worker closed its server (or its copy of a shared handle): it leaves that listener. */
function close(worker: Worker, message: Acts['close']): void {
  const key = message.key;
  const handle = handles.get(key);
  decide(handle === undefined ? 'no such listener: ignored' : `w${worker.id} leaves ${key}`);
  if (handle !== undefined && handle.remove(worker)) handles.delete(key);
}

function send(worker: Worker, message: Parameters<typeof sendHelper>[1], handle?: Parameters<typeof sendHelper>[2]): boolean {
  return sendHelper(worker.process, message, handle);
}

/** Ours: a worker's open connections on a scheduled listener, after some closed. */
function connections(worker: Worker, message: Acts['connections']): void {
  const handle = handles.get(message.key);
  if (handle instanceof ScheduledHandle) handle.reportOpen(worker, message.open);
}
