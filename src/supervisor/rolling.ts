/**
 * Replacing one worker without dropping a request: fork the new one first,
 * wait until it is ready, and only then make the old one leave. A rolling
 * restart does this for each slot in turn, so the pool never has fewer
 * ready workers than it started with.
 *
 * Mirrors: nothing — the patterns of PM2 (`pm2 reload`) and of docs/sources.md
 * Read next: src/supervisor/lifecycle.ts (waitReady, retire), src/supervisor/supervisor.ts (restart())
 *
 *   old w1 serving ───────────────────────────────┐ drain, disconnect() ... 'exit'
 *   fork(w5) ... 'listening' ─► slot 0 = w5 ─────────────────────────────────────► w5 serving
 *                                      then the same for slot 1, slot 2, ...
 *
 * The tutorial in docs/sources.md does it the other way round (disconnect the
 * old one, then fork; lesson 11's --disconnect-first):
 * for one fork's start-up time the pool is a worker short, and with a single
 * worker the port is closed: the primary closes the listener when its last
 * worker leaves, and new clients get ECONNREFUSED until the fork listens.
 */
import { retire, waitReady } from './lifecycle.ts';
import type { ForkReason, Replacement, Settings, Slot } from './options.ts';
import type { WorkerLike } from './protocol.ts';

/** What replace() needs from the supervisor. */
export interface ReplaceHost {
  readonly options: Settings;
  isStopping(): boolean;
  /** Fork a worker for `slot` without giving it the slot yet: until promoted, its exit is ours to handle. */
  spawn(slot: Slot, reason: ForkReason): WorkerLike;
  /** Give `slot` to `worker`; returns the worker it had (to retire), if any. */
  promote(slot: Slot, worker: WorkerLike): WorkerLike | null;
  /** The drain wait for this worker: null when it has no health helper to answer. */
  drainTimeoutFor(worker: WorkerLike): number | null;
  emit(event: string, payload: object): boolean;
}

/** Replace the worker of `slot`. Never throws: a failure leaves the old worker serving and says why. */
export async function replace(host: ReplaceHost, slot: Slot, reason: ForkReason): Promise<Replacement> {
  const result: Replacement = { slot: slot.index, reason, ok: false, oldPid: slot.worker?.process.pid ?? null, newPid: null, forced: false };
  if (host.isStopping()) return { ...result, error: 'shutting down' };

  const candidate = host.spawn(slot, reason);
  result.newPid = candidate.process.pid ?? null;
  try {
    await waitReady(candidate, host.options.readiness, host.options.readyTimeoutMs, host.options.readyGate ?? undefined);
  } catch (error) {
    // The new code does not start: keep the old worker, stop here. Killing
    // the old one anyway would turn a failed deploy into an outage.
    if (!candidate.isDead()) candidate.kill('SIGKILL');
    host.emit('unready', { slot: slot.index, worker: candidate, error });
    return { ...result, error: (error as Error).message };
  }
  if (host.isStopping()) return { ...result, error: 'shutting down' }; // shutdown retires the candidate too

  // Usually the old worker; if it crashed meanwhile, whatever respawned in its place.
  const previous = host.promote(slot, candidate);
  result.ok = true;
  result.oldPid = previous?.process.pid ?? result.oldPid;
  if (previous !== null && !previous.isDead()) {
    // Both workers are in the rotation now; the old one stops getting
    // connections the moment disconnect() runs, and finishes what it has.
    const retired = await retire(previous, { drainTimeoutMs: host.drainTimeoutFor(previous), killTimeoutMs: host.options.killTimeoutMs });
    result.forced = retired.forced;
  }
  host.emit('replaced', result);
  return result;
}

/**
 * Replacements run one at a time, in order: a rolling restart never
 * overlaps a memory restart, so at most one extra worker exists at a time
 * and the pool never shrinks below its size.
 */
export class ReplacementQueue {
  /** The tail of the chain: each task starts when the previous one settled. */
  #tail: Promise<unknown> = Promise.resolve();
  /** Slots with a replacement queued or running: one memory report is enough to queue it. */
  readonly #pending = new Set<number>();

  constructor(private readonly host: ReplaceHost) {}

  has(slot: Slot): boolean {
    return this.#pending.has(slot.index);
  }

  /** Every slot in turn (a rolling restart); stops early if a shutdown begins. */
  all(slots: readonly Slot[]): Promise<Replacement[]> {
    return this.#enqueue(async () => {
      const done: Replacement[] = [];
      for (const slot of slots) if (!this.host.isStopping()) done.push(await this.#run(slot, 'restart'));
      return done;
    });
  }

  one(slot: Slot, reason: ForkReason): Promise<Replacement> {
    this.#pending.add(slot.index);
    return this.#enqueue(() => this.#run(slot, reason));
  }

  async #run(slot: Slot, reason: ForkReason): Promise<Replacement> {
    this.#pending.add(slot.index);
    try {
      return await replace(this.host, slot, reason);
    } finally {
      this.#pending.delete(slot.index);
    }
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}
