/**
 * The exercises, one per lesson that has one: which engine files the learner
 * writes, what each marked region becomes in the skeleton (its stub: a TODO
 * saying what the code must do, and a todo() call that fails until it is
 * written), which specs judge it, and the hints, shown one at a time.
 *
 * A stub states the contract; the hints go from the idea to nearly the code.
 * Exact trace texts are in the stubs, not the hints: the lesson's check reads
 * them, so they are part of the contract.
 *
 * Mirrors: nothing — teaching helper (rustlings' info.toml, CodeCrafters' stages)
 * Read next: scripts/exercise/skeleton.ts (how the stubs replace the regions), scripts/exercise/main.ts
 */

export interface Exercise {
  /** Two digits, as in the markers and the workspace folder: '07'. */
  number: string;
  /** The lesson it follows. */
  lesson: number;
  title: string;
  /** What the learner writes, as one phrase. */
  writes: string;
  /** Each engine file of the exercise, with the stub of each of its regions (by region id). */
  files: Record<string, Record<string, string[]>>;
  /** The unit specs of those files: the judge. */
  specs: string[];
  /** Does the lesson's own check (lessons/NN-slug/check.test.ts) also run, with the learner's files? */
  lessonCheck: boolean;
  hints: string[];
}

const sharedHandle: Exercise = {
  number: '05',
  lesson: 5,
  title: 'SharedHandle: bind once, hand every worker the same socket',
  writes: "SharedHandle's bind in the constructor, add() and remove()",
  files: {
    'src/master/shared-handle.ts': {
      bind: [
        '// TODO(exercise 05): bind now, synchronously, with create(address, port, addressType,',
        '// fd, flags) from the query. It gives a bound handle, or a negative errno: keep the',
        '// handle in this.handle, or the errno in this.errno, for add() to pass on.',
      ],
      add: [
        '// TODO(exercise 05): a worker asks for this listener. Already here: false, and nothing',
        '// sent. Otherwise remember it and send it the errno and the one bound handle (the same',
        '// for every worker: each gets a duplicate of the descriptor), then return true.',
        "return todo('exercise 05: write add() in src/master/shared-handle.ts');",
      ],
      remove: [
        '// TODO(exercise 05): a worker leaves. Not here, or others still here: false. The last',
        '// one: close our copy of the socket (if the bind gave one), forget it, return true.',
        "return todo('exercise 05: write remove() in src/master/shared-handle.ts');",
      ],
    },
  },
  specs: ['test/master/shared-handle.test.ts'],
  lessonCheck: true,
  hints: [
    'Under SCHED_NONE the primary binds and does nothing more: it never listens and never accepts. ' +
      "Each worker listens on its own duplicate of the handle you send it (shared() in src/worker/child.ts), " +
      'and the kernel picks who accepts each connection: the herd of lesson 05. So this class only binds, hands out and closes.',
    'The constructor binds at once, with no event to wait for: create(address, query.port, query.addressType, query.fd, query.flags). ' +
      "It returns an object (the handle) or a number (a negative errno); typeof tells which. A failed bind throws nothing: " +
      'every worker that asks is told the errno instead.',
    'add(worker, send): this.workers is a Map by worker id. A worker already in it gets no answer and add() returns false ' +
      '(queryServer then refuses it with EADDRINUSE). Otherwise set it, call send(this.errno, null, this.handle) and return true.',
    "remove(worker): false if this.workers.delete() finds nothing, false while the Map is not empty. For the last worker: " +
      'this.handle?.close() (after a failed bind there is no handle), this.handle = null, return true, so that the primary forgets the key.',
  ],
};

const queryServer: Exercise = {
  number: '06',
  lesson: 6,
  title: 'queryServer: the key, and counting listens',
  writes: "the key and the new handle in queryServer (src/master/onmessage.ts), and the index counting of _getServer and removeIndexesKey (src/worker/child.ts)",
  files: {
    'src/master/onmessage.ts': {
      key: [
        '// TODO(exercise 06): the key: the query\'s address, port, addressType, fd and index, in',
        '// that order, joined by \':\' (a missing fd reads "undefined", as in Node\'s key).',
        "const key = todo<string>('exercise 06: build the key in queryServer() (src/master/onmessage.ts)');",
      ],
      create: [
        '// TODO(exercise 06): nobody has this key yet. Make its handle as the policy says, each',
        '// with the key, `address` and the message: under SCHED_RR, roundRobinHandle(...); under',
        '// SCHED_REUSEPORT, a ReusePortHandle for a TCP port (`tcp`), roundRobinHandle(...) for',
        '// the rest; under SCHED_NONE, a SharedHandle. Then file it in `handles`, where the next',
        '// worker to ask will find it.',
        "handle = todo<NonNullable<ReturnType<typeof handles.get>>>('exercise 06: create the handle for a new key in queryServer() (src/master/onmessage.ts)');",
      ],
    },
    'src/worker/child.ts': {
      count: [
        '// TODO(exercise 06): number this listen. `indexes` holds, per tuple string (address,',
        '// port, addressType and fd joined by \':\'), the next index and the set of those in use.',
        '// This listen takes the next index; it is in use until removeIndexesKey gives it back.',
        "const [indexesKey, index] = todo<[string, number]>('exercise 06: count the listen in _getServer() (src/worker/child.ts)');",
      ],
      'give-back': [
        '// TODO(exercise 06): the listen with this index ended (closed, or failed). Its index is',
        '// no longer in use; once none is, forget the tuple, so that numbering starts again at 0.',
        "todo('exercise 06: write removeIndexesKey() (src/worker/child.ts)');",
      ],
    },
  },
  specs: ['test/master/onmessage.test.ts', 'test/worker/child.test.ts'],
  lessonCheck: true,
  hints: [
    'Two halves that must agree. In each worker, _getServer numbers the listen() calls on one address and port: 0, 1, 2, ... ' +
      'In the primary, queryServer files the listener under a key that ends with that number. So the n-th listen of every worker ' +
      'finds the same key and shares one socket, and a second listen in one worker gets a new key and a new port (lesson 06, part 3).',
    "The key is one template string of the message's five fields: address, port, addressType, fd, index, with ':' between. " +
      'No special case for a missing fd: the template writes "undefined", and lesson 06 shows "127.0.0.1:0:4:undefined:0".',
    'The code around your lines already looks the key up in `handles` (the Map in src/master/primary.ts). For a new key, ' +
      'policy() says which: SCHED_NONE makes new SharedHandle(key, address, message); SCHED_RR makes roundRobinHandle(key, address, message) ' +
      '(a RoundRobinHandle, or a ScheduledHandle when setupPrimary was given a scheduler); SCHED_REUSEPORT makes new ReusePortHandle(key, address, message) ' +
      'when `tcp`, and roundRobinHandle(...) otherwise. Then handles.set(key, handle). Pass `address`, not message.address: for a long pipe path it is the shorter relative one.',
    "The worker's count: indexesKey = [address, options.port, options.addressType, options.fd].join(':'). Its entry in `indexes` " +
      'is created on first use as { nextIndex: 0, set: new Set() }. This listen takes nextIndex, nextIndex goes up by one, ' +
      'and the index goes into the set.',
    'removeIndexesKey(indexesKey, index): no entry, nothing to do. Otherwise delete the index from the set, and delete the entry ' +
      'once the set is empty. nextIndex never goes down while the entry lives: with servers 0 and 1 open, closing 0 and listening again gives 2, as in Node.',
  ],
};

const roundRobinHandle: Exercise = {
  number: '07',
  lesson: 7,
  title: 'RoundRobinHandle: distribute, handoff and remove',
  writes: "RoundRobinHandle's distribute() (its first checks) and enqueue(), handoff() and remove()",
  files: {
    'src/master/round-robin-handle.ts': {
      remove: [
        '// TODO(exercise 07): the worker leaves this listener. Not in `all`: false. Take it out',
        '// of `all` and `free`; others remain: false. The last one: close every queued client',
        '// and the listening handle (then null), and return true.',
        '// For the lesson\'s trace: `if (tracing) this.trace();` once it is out of the queues, and for',
        '// the last one, before closing: decide(`last worker left ${this.key}: ${this.handles.length} queued client(s) closed, listener closed`);',
        "return todo('exercise 07: write remove() in src/master/round-robin-handle.ts');",
      ],
      distribute: [
        '// TODO(exercise 07): a connection to hand out (new, or refused by a worker). First the two',
        '// cases with nothing to hand out: an error (the accept failed: no handle), and nobody left',
        '// in `all` (close the handle). The rest, below, is written: the bound of maxPending, then',
        '// enqueue().',
      ],
      enqueue: [
        '// TODO(exercise 07): queue the handle at the end of `handles`; if a worker is free (the',
        '// oldest idle one that has not refused this handle: this.firstFree(handle)), take it out',
        '// of `free` and handoff() to it.',
        '// For the lesson\'s trace: `if (tracing) this.trace();` when nobody was free.',
        "todo('exercise 07: write enqueue() in src/master/round-robin-handle.ts');",
      ],
      handoff: [
        '// TODO(exercise 07): give the worker the oldest queued connection it has not refused',
        '// (this.next(worker) takes it off the queue), with this.newconn(), and once it has',
        '// answered, hand it the next one; with none for it, it is idle: to the end of `free`.',
        '// A worker no longer in `all` gets nothing.',
        '// For the lesson\'s trace: `if (tracing) this.trace();` after it went into `free`, or before newconn.',
        "todo('exercise 07: write handoff() in src/master/round-robin-handle.ts');",
      ],
    },
  },
  specs: ['test/master/round-robin-handle.test.ts'],
  lessonCheck: true,
  hints: [
    '`free` is a Map of the idle workers by id, oldest idle first: a Map keeps insertion order, so its first entry ' +
      'is the one idle longest, and set() after delete() puts a worker at the end. `handles` is an array of accepted ' +
      'connections nobody has yet. `all` is every worker on the listener: in `all` but not in `free` means one newconn in flight.',
    'distribute(err, handle): if (err) return (a failed accept has no handle). If this.all.size === 0, handle.close() and return. ' +
      'The bound of maxPending comes next, written already, and then enqueue(handle): this.handles.push(handle), and the oldest free worker ' +
      'that has not refused this handle, this.firstFree(handle) (undefined when none); if there is one, this.free.delete(worker.id) and this.handoff(worker).',
    'handoff(worker): return at once unless this.all.has(worker.id). const handle = this.next(worker): the oldest queued connection this worker has not ' +
      'refused (a refused one waits for another worker), taken off the queue. None: this.free.set(worker.id, worker). ' +
      'Otherwise this.newconn(worker, handle, () => this.handoff(worker)): newconn deals with the answer (close our copy, or distribute() again), ' +
      'then calls you back, and the same worker takes the next queued connection or goes idle.',
    'remove(worker): if (!this.all.delete(worker.id)) return false; this.free.delete(worker.id); others left: return false. ' +
      'For the last: for (const h of this.handles.splice(0)) h.close(); this.handle?.close(); this.handle = null; return true. ' +
      'A connection in flight to the leaving worker is in neither queue: its answer still decides what becomes of it.',
    "The lesson's check compares the engine's trace with the README: `if (tracing) this.trace();` writes the queues as they are. " +
      'It belongs after remove() took the worker out (before the return false), in enqueue() when the handle waits because nobody is free, ' +
      'and in handoff() right after free.set() and right before newconn(). Lesson 07 shows each of these lines.',
  ],
};

const onconnection: Exercise = {
  number: '08',
  lesson: 8,
  title: 'onconnection: accept, refuse, maxConnections',
  writes: "the worker's onconnection() (its decision, and the hand-over after the answer) and atConnectionLimit() (src/worker/child.ts)",
  files: {
    'src/worker/child.ts': {
      decide: [
        '// TODO(exercise 08): the primary handed this worker a connection for message.key. Accept',
        '// it if this worker has a server for that key and the server is not at its connection',
        '// limit; otherwise refuse. (The answer, below, goes out first, before anything else.)',
        "// For the lesson's trace: decide(\"accepted: emit 'connection'\"), or",
        "// decide('refused: maxConnections reached'), or decide('refused: server closed here').",
        "const [server, accepted] = todo<[ClusterHandle | undefined, boolean]>('exercise 08: decide in onconnection() (src/worker/child.ts)');",
      ],
      'hand-over': [
        '// TODO(exercise 08): answered; now give an accepted client to the server, or close a',
        '// refused one, so that its descriptor does not leak in this worker.',
        "todo('exercise 08: hand the client over in onconnection() (src/worker/child.ts)');",
      ],
      limit: [
        '// TODO(exercise 08): has the server as many open connections as maxConnections allows?',
        '// No maxConnections (null or undefined): no limit. 0 means no limit before Node 21 and',
        '// "refuse all" from 21 on (zeroRefusesAll).',
        "return todo('exercise 08: write atConnectionLimit() in src/worker/child.ts');",
      ],
    },
  },
  specs: ['test/worker/child.test.ts'],
  lessonCheck: true,
  hints: [
    'The primary sends {act: \'newconn\', key, seq} with the client handle attached and waits for {ack: seq, accepted}. Until that answer ' +
      'comes it sends this worker nothing more on the listener. So answer before anything that may take time: a slow \'connection\' ' +
      'handler must not hold the primary up.',
    'The server: handles.get(message.key), this worker\'s listener under that key (a FauxHandle under round robin). None: the server was ' +
      'closed here and the primary has not read our `close` yet, so refuse. The net.Server behind it is owners.get(handle): ' +
      'maxConnections and the count of open connections are there.',
    'The answer, send({ ack: message.seq, accepted }), is written already, between your two parts. After it, accepted: ' +
      '(server as FauxHandle).onconnection?.(0, clientHandle), the function net put on the handle when the server took it: it wraps the raw ' +
      'handle in a net.Socket and emits \'connection\'. Refused: clientHandle?.close(), or its descriptor leaks in this worker (Node fixed exactly that in PR #43650).',
    'atConnectionLimit(server): const max = server.maxConnections, open = server._connections ?? 0. From Node 21 (zeroRefusesAll): ' +
      'max != null && open >= max. Before: Boolean(max) && open >= max, since 0 meant no limit.',
  ],
};

export const EXERCISES: readonly Exercise[] = [sharedHandle, queryServer, roundRobinHandle, onconnection];

/** The exercise of lesson `n`, or undefined. */
export function exerciseOf(n: number): Exercise | undefined {
  return EXERCISES.find((e) => e.lesson === n);
}
