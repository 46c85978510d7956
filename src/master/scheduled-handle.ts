/**
 * SCHED_RR with a scheduler (setupPrimary({ scheduler })): the primary still
 * listens, accepts and hands each connection over as RoundRobinHandle does,
 * but a scheduler (scheduler.ts) chooses the worker, from every worker on
 * the listener, busy or idle. A connection for a busy worker waits for that
 * worker, in a queue of its own; round robin's one shared queue cannot say
 * "this one is for w3".
 *
 * Mirrors: nothing — Node has no scheduler (DIVERGENCE: an extension); it
 *          builds on round_robin_handle.js's free/handoff/newconn
 * Read next: src/master/scheduler.ts (the policies), src/worker/child.ts (countConnections)
 *
 *   connection => candidates: every worker with {open, pending, idle}
 *              => scheduler.pick() => idle? newconn now : wait in waiting[w]
 *   worker answers {accepted, open} => open[w] = open; handoff(w): its own next, or idle
 *   worker reports {act:'connections', open} when its sockets close (coalesced)
 */
import type { Envelope, RawHandle, ServerQuery } from '../ipc.ts';
import type { Worker } from '../worker.ts';
import { decide, tracing, type QueueState } from '../trace.ts';
import { RoundRobinHandle, type BindingServer, type HandleOptions } from './round-robin-handle.ts';
import type { Candidate, ConnectionInfo, Scheduler } from './scheduler.ts';

export class ScheduledHandle extends RoundRobinHandle {
  readonly scheduler: Scheduler;
  /** Connections waiting for one particular worker: it was chosen while busy. */
  readonly waiting = new Map<number, RawHandle[]>();
  /** Open connections per worker on this listener, as the worker last reported them. */
  readonly open = new Map<number, number>();
  /** Times the user's scheduler function failed and round robin chose instead. */
  fallbacks = 0;

  constructor(key: string, address: string | null, query: ServerQuery, scheduler: Scheduler, options: HandleOptions = {}, createServer?: () => BindingServer) {
    super(key, address, query, createServer, options);
    this.scheduler = scheduler;
  }

  /** Whether workers must report their connections closing (the queryServer reply says so). */
  get countsConnections(): boolean {
    return this.scheduler.countsConnections;
  }

  /** Ask the scheduler; hand the connection over now if its worker is idle, else queue it for that worker. */
  protected override enqueue(handle: RawHandle): void {
    const candidates = this.candidates(handle);
    const connection = this.scheduler.needsPeer ? peerOf(handle) : {};
    const choice = this.scheduler.pick(candidates, connection);
    decide(`${this.scheduler.name}: ${choice.why}`);
    if (choice.fallback !== undefined) {
      // The user's function failed: this connection goes round robin, in
      // the shared queue, exactly as without a scheduler. Counted; the
      // first time, a warning says so.
      if (this.fallbacks++ === 0) process.emitWarning(`scheduler ${this.scheduler.name} failed (${choice.fallback}); round robin chose instead (counted, and traced each time)`, 'MiniClusterWarning');
      super.enqueue(handle);
      return;
    }
    const worker = choice.worker;
    if (this.free.has(worker.id)) {
      this.free.delete(worker.id);
      if (tracing) this.trace();
      this.newconn(worker, handle, () => this.handoff(worker));
      return;
    }
    let queue = this.waiting.get(worker.id);
    if (queue === undefined) this.waiting.set(worker.id, (queue = []));
    queue.push(handle);
    if (tracing) this.trace();
  }

  /**
   * Every worker on the listener that has not refused this connection, in
   * round-robin order: idle ones first (oldest idle first), then the busy.
   */
  candidates(handle?: RawHandle): Candidate[] {
    const refused = handle === undefined ? undefined : this.refusedBy.get(handle);
    const order = [...this.free.values(), ...[...this.all.values()].filter((w) => !this.free.has(w.id))];
    return order.filter((w) => refused === undefined || !refused.has(w.id)).map((worker) => ({
      worker,
      open: this.open.get(worker.id) ?? 0,
      pending: (this.waiting.get(worker.id)?.length ?? 0) + (this.free.has(worker.id) ? 0 : 1),
      idle: this.free.has(worker.id),
    }));
  }

  protected override pendingCount(): number {
    let n = this.handles.length; // the shared queue: connections round robin took (fallbacks)
    for (const queue of this.waiting.values()) n += queue.length;
    return n;
  }

  /** A worker that answered takes the next connection chosen for it (or, failing that, round robin's next). */
  protected override next(worker: Worker): RawHandle | undefined {
    return this.waiting.get(worker.id)?.shift() ?? super.next(worker);
  }

  /** The worker's answer carries its open connections on this listener, counting the new one. */
  protected override accepted(worker: Worker, reply: Envelope): void {
    if (typeof reply.open === 'number') this.open.set(worker.id, reply.open);
  }

  /** The worker's connections closed (child.ts reports, coalesced): its count as it stands now. */
  reportOpen(worker: Worker, open: number): void {
    if (!this.all.has(worker.id)) return;
    this.open.set(worker.id, open);
    if (tracing) this.trace();
  }

  /** A leaving worker's own queue goes back to the scheduler (or is closed with the listener). */
  override remove(worker: Worker): boolean {
    const queued = this.waiting.get(worker.id) ?? [];
    this.waiting.delete(worker.id);
    this.open.delete(worker.id);
    const last = super.remove(worker);
    if (last) for (const queue of this.waiting.values()) queued.push(...queue.splice(0));
    for (const handle of queued) {
      if (last) handle.close();
      else this.distribute(0, handle);
    }
    return last;
  }

  /** As RoundRobinHandle's drain: the last worker leaving on purpose is handed what waits for it. */
  override drain(worker: Worker): void {
    if (this.all.size !== 1 || !this.all.has(worker.id)) return;
    super.drain(worker);
    for (const handle of this.waiting.get(worker.id)?.splice(0) ?? []) this.newconn(worker, handle);
  }

  override queues(): QueueState {
    const byName = (map: Map<number, number>): Record<string, number> => Object.fromEntries([...map].map(([id, n]) => [`w${id}`, n]));
    const waiting = new Map([...this.waiting].map(([id, q]) => [id, q.length] as const));
    return { ...super.queues(), handles: this.pendingCount(), scheduler: this.scheduler.name, open: byName(this.open), waiting: byName(waiting) };
  }
}

/** The client's address and port, from the accepted socket (TCP only). */
function peerOf(handle: RawHandle): ConnectionInfo {
  const out: { address?: string; port?: number; family?: string } = {};
  const getpeername = handle.getpeername as ((o: object) => number) | undefined;
  if (typeof getpeername !== 'function' || getpeername.call(handle, out) !== 0) return {};
  return { remoteAddress: out.address, remotePort: out.port, family: out.family };
}
