// A primary-side cluster and its workers' sides in one process, joined by
// fake IPC channels: each message is copied through JSON (so a BigInt
// throws in send(), as with Node's default serialization) and delivered in
// a later microtask, in order, as a real channel delivers it. No processes,
// no sockets, no timers: the specs drive time with vi's fake timers.
import { EventEmitter } from 'node:events';

type Callback = (error: Error | null) => void;

/** Resolve after the deliveries queued so far (and what they queue in turn) have run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

function channelClosed(): Error {
  return Object.assign(new Error('Channel closed'), { code: 'ERR_IPC_CHANNEL_CLOSED' });
}

/** The primary's Worker object for one fake worker. */
export class FakeWorker extends EventEmitter {
  readonly process: { pid: number };
  connected = true;
  /** When false, send() never calls back: a worker that stopped reading its channel. */
  confirms = true;
  /** Everything the primary sent to this worker, as it travelled. */
  readonly sent: unknown[] = [];
  side!: FakeWorkerSide;

  constructor(readonly id: number, private readonly cluster: FakeCluster) {
    super();
    this.process = { pid: 10_000 + id };
  }

  send(message: unknown, handle?: unknown, _options?: unknown, callback?: Callback): boolean {
    if (!this.connected) {
      queueMicrotask(() => (callback ? callback(channelClosed()) : this.emit('error', channelClosed())));
      return false;
    }
    const copy = JSON.parse(JSON.stringify(message)); // throws here, synchronously, as Node's send does
    this.sent.push(copy);
    queueMicrotask(() => {
      if (!this.side.connected) return;
      this.side.emit('message', copy, handle);
      if (this.confirms) callback?.(null);
    });
    return true;
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** The channel closes: both ends see 'disconnect', the worker stays listed until it exits (as in Node). */
  disconnect(): void {
    if (!this.connected) return;
    this.connected = false;
    this.side.connected = false;
    this.side.emit('disconnect');
    this.emit('disconnect');
    this.cluster.emit('disconnect', this);
  }

  /** The process ends: disconnect first if needed, then 'exit', and it leaves cluster.workers. */
  exit(code: number | null, signal: string | null): void {
    this.disconnect();
    delete this.cluster.workers[this.id];
    this.emit('exit', code, signal);
    this.cluster.emit('exit', this, code, signal);
  }

  /** Deliver `message` to the primary as if this worker had sent it (garbage, lookalikes). */
  inject(message: unknown, handle?: unknown): void {
    this.side.send(message, handle, {}, () => {});
  }
}

/** `cluster.worker` inside the fake worker: its send() goes to the primary. */
export class FakeWorkerSelf extends EventEmitter {
  constructor(readonly id: number, private readonly side: FakeWorkerSide) {
    super();
    side.on('message', (message, handle) => this.emit('message', message, handle));
    side.on('disconnect', () => this.emit('disconnect'));
  }

  send(message: unknown, handle?: unknown, options?: unknown, callback?: Callback): boolean {
    return this.side.send(message, handle, options, callback);
  }

  isConnected(): boolean {
    return this.side.connected;
  }
}

/** The worker's end of the channel (its `process`). */
export class FakeWorkerSide extends EventEmitter {
  connected = true;
  /** Everything this worker sent to the primary, as it travelled. */
  readonly sent: unknown[] = [];

  constructor(private readonly worker: FakeWorker, private readonly cluster: FakeCluster) {
    super();
  }

  send(message: unknown, handle?: unknown, _options?: unknown, callback?: Callback): boolean {
    if (!this.connected) {
      queueMicrotask(() => callback?.(channelClosed()));
      return false;
    }
    const copy = JSON.parse(JSON.stringify(message));
    this.sent.push(copy);
    queueMicrotask(() => {
      if (!this.worker.connected) return;
      this.worker.emit('message', copy, handle);
      this.cluster.emit('message', this.worker, copy, handle);
      callback?.(null);
    });
    return true;
  }
}

/** The worker-side cluster object (what joinHub takes). */
export interface FakeWorkerCluster { isWorker: true; isPrimary: false; worker: FakeWorkerSelf }

/** The primary-side cluster object (what createHub takes). */
export class FakeCluster extends EventEmitter {
  readonly isPrimary = true;
  readonly isWorker = false;
  readonly workers: Record<number, FakeWorker> = {};
  #ids = 0;

  fork(): { worker: FakeWorker; cluster: FakeWorkerCluster } {
    const id = ++this.#ids;
    const worker = new FakeWorker(id, this);
    const side = new FakeWorkerSide(worker, this);
    worker.side = side;
    this.workers[id] = worker;
    return { worker, cluster: { isWorker: true, isPrimary: false, worker: new FakeWorkerSelf(id, side) } };
  }
}
