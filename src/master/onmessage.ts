/**
 * The primary's answers to worker messages: Node's `onmessage` dispatch
 * table and the functions it calls, `queryServer` first among them.
 *
 * Mirrors: onmessage, online, queryServer, listening, exitedAfterDisconnect
 *          and close in lib/internal/cluster/primary.js (Node v20)
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
import { sendHelper, type Envelope, type QueryServerMessage } from '../ipc.ts';
import type { Worker } from '../worker.ts';
import { decide } from '../trace.ts';
import { RoundRobinHandle } from './round-robin-handle.ts';
import { SharedHandle } from './shared-handle.ts';
import { validate } from './validate.ts';
import type { AnyHandle, PrimaryCluster } from './primary.ts';

// libuv reports errors as negative errno values.
const UV_EADDRINUSE = -os.constants.errno.EADDRINUSE;

/**
 * @param handles  every listener the workers share, by key (owned by primary.ts)
 * @param roundRobin  true under SCHED_RR (the policy frozen at the first setupPrimary())
 */
export function createOnmessage(cluster: PrimaryCluster, handles: Map<string, AnyHandle>, roundRobin: () => boolean) {
  const acts: Record<string, (worker: Worker, message: Envelope) => void> = {
    online(worker) {
      decide("state=online, emit 'online'");
      worker.state = 'online';
      worker.emit('online');
      cluster.emit('online', worker);
    },
    queryServer,
    listening(worker, message) {
      const { addressType, address, port, fd } = message;
      const info = { addressType, address, port, fd };
      decide(`state=listening, emit 'listening' on port ${port}`);
      worker.state = 'listening';
      worker.emit('listening', info);
      cluster.emit('listening', worker, info);
    },
    exitedAfterDisconnect(worker, message) {
      decide('exitedAfterDisconnect=true, ack');
      worker.exitedAfterDisconnect = true;
      sendHelper(worker.process, { ack: message.seq });
    },
    close(worker, message) {
      const key = message.key as string;
      const handle = handles.get(key);
      decide(handle === undefined ? 'no such listener: ignored' : `w${worker.id} leaves ${key}`);
      if (handle !== undefined && handle.remove(worker)) handles.delete(key);
    },
  };

  const malformed = new Map<number, number>(); // malformed messages per worker id
  function onmessage(this: Worker, message: Envelope): void {
    const problem = validate(message);
    if (problem !== null) {
      decide(`ignored: ${problem}`);
      // DIVERGENCE: Node trusts its workers; a bad message can crash its
      // primary or be dropped silently. We warn (the first 10 per worker,
      // then at 100, 1000, ...) and otherwise ignore it.
      const count = (malformed.get(this.id) ?? 0) + 1;
      malformed.set(this.id, count);
      if (count <= 10 || Number.isInteger(Math.log10(count))) {
        process.emitWarning(`worker ${this.id} sent a malformed internal message (${problem}); ignored [${count} so far]`, 'MiniClusterWarning');
      }
      return;
    }
    acts[message.act as string](this, message);
  }

  function queryServer(worker: Worker, envelope: Envelope): void {
    if (worker.exitedAfterDisconnect) return; // Stop processing if worker already disconnecting
    const message = envelope as unknown as QueryServerMessage & Envelope;
    const key = `${message.address}:${message.port}:${message.addressType}:${message.fd}:${message.index}`;
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
      handle = roundRobin() ? new RoundRobinHandle(key, address, message) : new SharedHandle(key, address, message);
      handles.set(key, handle);
      decide(`new ${handle.constructor.name} for ${key}`);
    } else {
      decide(`joins the ${handle.constructor.name} for ${key}`);
    }
    const owner = handle;
    if (!owner.data) owner.data = message.data;
    const added = owner.add(worker, (errno, reply, rawHandle) => {
      // A failed bind forgets the key, to give other workers a chance to retry.
      if (errno && handles.get(key) === owner) handles.delete(key);
      sendHelper(worker.process, { errno, key, ack: message.seq, data: owner.data, ...reply }, rawHandle);
    });
    if (!added) {
      // DIVERGENCE: Node asserts (and crashes) on a second query for the same key.
      process.emitWarning(`worker ${worker.id} asked twice for ${key}; refused`, 'MiniClusterWarning');
      sendHelper(worker.process, { errno: UV_EADDRINUSE, key, ack: message.seq, data: null });
    }
  }

  return onmessage;
}
