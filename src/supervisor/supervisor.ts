/**
 * The supervisor: keeps N workers running on any cluster object. It
 * respawns crashed workers with backoff, gives up on crash loops, replaces
 * workers one by one on SIGUSR2/SIGHUP, shuts down gracefully on
 * SIGINT/SIGTERM, and keeps each worker's latest health report.
 *
 * Mirrors: nothing — the patterns of PM2 and of docs/sources.md (the tutorial, the API guide, the course)
 * Read next: src/supervisor/rolling.ts, src/supervisor/lifecycle.ts, src/supervisor/health.ts
 *
 *   fork ─► ready ─► serving ─┬─ crash (exitedAfterDisconnect false) ─► backoff ─► fork
 *                             │                   └─ too many in the window ─► 'giveup'
 *                             └─ disconnect() by anyone (exitedAfterDisconnect true) ─► stays gone
 *
 * Events (one object each): 'fork', 'ready', 'unready', 'crash', 'giveup',
 * 'health', 'memory', 'replaced', 'shutdown'.
 */
import { EventEmitter } from 'node:events';
import { CrashHistory, backoffDelay } from './backoff.ts';
import { retire, waitReady } from './lifecycle.ts';
import { slotStats, withDefaults, type ForkReason, type Replacement, type Settings, type ShutdownResult, type Slot, type SupervisorOptions, type WorkerStats } from './options.ts';
import { HEALTH, isTagged, type ClusterLike, type HealthReport, type WorkerLike } from './protocol.ts';
import { ReplacementQueue, type ReplaceHost } from './rolling.ts';
import { installSignals } from './signals.ts';

export class Supervisor extends EventEmitter {
  readonly options: Settings;
  readonly slots: Slot[];
  readonly #cluster: ClusterLike;
  /** Every worker we forked that has not exited: slot workers, candidates, retiring ones. */
  readonly #live = new Set<WorkerLike>();
  /** The latest health report per worker id, with the time it came. */
  readonly #health = new Map<number, { report: HealthReport; at: number }>();
  /** Rolling and memory restarts, one at a time (rolling.ts). */
  readonly #replacements: ReplacementQueue;
  #stopping: Promise<ShutdownResult> | null = null;
  #forced = false;
  #uninstallSignals = (): void => {};

  constructor(cluster: ClusterLike, options: SupervisorOptions) {
    super();
    if (!cluster.isPrimary) throw new Error('the supervisor runs in the primary');
    this.#cluster = cluster;
    this.options = withDefaults(options);
    const { maxRestarts, restartWindowMs, stableAfterMs } = this.options;
    this.slots = Array.from({ length: this.options.workers }, (_, index) => ({
      index, worker: null, ready: false, startedAt: 0, respawns: 0, timer: null, gaveUp: false,
      history: new CrashHistory(maxRestarts, restartWindowMs, stableAfterMs),
    }));
    this.#replacements = new ReplacementQueue(this.#host());
  }

  get stopping(): boolean {
    return this.#stopping !== null;
  }

  /** Fork every slot and install the signal handlers; resolves once each first worker is ready (or failed). */
  async start(): Promise<void> {
    this.#uninstallSignals = installSignals(this);
    await Promise.all(this.slots.map((slot) => this.#startSlot(slot, 'start')));
  }

  /** Rolling restart of every slot, one at a time (SIGUSR2, SIGHUP). Queued behind any running one. */
  restart(): Promise<Replacement[]> {
    return this.#replacements.all(this.slots);
  }

  /** Replace the worker of one slot, the same way (a memory restart uses this). */
  restartWorker(index: number, reason: ForkReason = 'manual'): Promise<Replacement> {
    const slot = this.slots[index];
    if (slot === undefined) throw new RangeError(`no slot ${index}`);
    return this.#replacements.one(slot, reason);
  }

  /**
   * Graceful shutdown: no more respawns, every worker drains and disconnects
   * at once (the primary stops routing to it, its servers close, its
   * in-flight requests finish), and any still there after killTimeoutMs is
   * killed. Resolves with code 0 if nobody had to be killed, else 1.
   */
  shutdown(reason = 'shutdown()'): Promise<ShutdownResult> {
    this.#stopping ??= (async () => {
      for (const slot of this.slots) if (slot.timer) clearTimeout(slot.timer);
      // Ours, plus any other worker of this cluster: the primary is about to go.
      const workers = new Set([...this.#live, ...Object.values(this.#cluster.workers ?? {})]);
      const all = [...workers].filter((w): w is WorkerLike => w !== undefined && !w.isDead());
      const retired = await Promise.all(all.map((worker) =>
        // drainTimeoutMs 0: ask for `Connection: close`, but disconnect at once: stop accepting now.
        retire(worker, { drainTimeoutMs: this.#speaks(worker) ? 0 : null, killTimeoutMs: this.options.killTimeoutMs })));
      this.#uninstallSignals();
      const forced = this.#forced || retired.some((r) => r.forced);
      const result: ShutdownResult = { reason, workers: all.length, forced, code: forced ? 1 : 0 };
      this.emit('shutdown', result);
      return result;
    })();
    return this.#stopping;
  }

  /** SIGKILL every worker we started, now (a second Ctrl-C). A shutdown then reports forced. */
  forceKill(): void {
    this.#forced = true;
    for (const worker of this.#live) worker.kill('SIGKILL');
  }

  /** One line per slot: who serves it, since when, how often it crashed, and its latest health report. */
  stats(): WorkerStats[] {
    return this.slots.map((slot) => slotStats(slot, slot.worker ? this.#health.get(slot.worker.id) : undefined, Date.now()));
  }

  // ---- inside ----

  #spawn(slot: Slot, reason: ForkReason): WorkerLike {
    const worker = this.#cluster.fork({ ...this.options.env, MINI_CLUSTER_SLOT: String(slot.index) });
    this.#live.add(worker);
    worker.on('message', (message: unknown) => this.#onmessage(slot, worker, message));
    worker.once('exit', (code: number | null, signal: string | null) => this.#onexit(slot, worker, code, signal));
    this.emit('fork', { slot: slot.index, worker, reason });
    return worker;
  }

  /** Fork straight into the slot (start, respawn) and wait for readiness; not ready in time counts as a crash. */
  async #startSlot(slot: Slot, reason: ForkReason): Promise<void> {
    const worker = this.#spawn(slot, reason);
    Object.assign(slot, { worker, ready: false, startedAt: Date.now() });
    try {
      await waitReady(worker, this.options.readiness, this.options.readyTimeoutMs, this.options.readyGate ?? undefined);
      if (slot.worker !== worker) return;
      slot.ready = true;
      this.emit('ready', { slot: slot.index, worker, reason });
    } catch (error) {
      if (slot.worker !== worker || worker.isDead()) return; // it crashed: onexit handles that
      this.emit('unready', { slot: slot.index, worker, error });
      worker.kill('SIGKILL'); // its exit is a crash: backoff and the cap apply
    }
  }

  #onexit(slot: Slot, worker: WorkerLike, code: number | null, signal: string | null): void {
    this.#live.delete(worker);
    this.#health.delete(worker.id);
    // A candidate that never got the slot, or an old worker being retired: not a slot's crash.
    if (slot.worker !== worker) return;
    Object.assign(slot, { worker: null, ready: false });
    // Left on purpose (disconnect() from either side, or we are shutting down): never respawn.
    if (this.stopping || worker.exitedAfterDisconnect) return;

    const now = Date.now();
    slot.history.record(now, now - slot.startedAt);
    const { streak, times } = slot.history;
    if (slot.history.exhausted()) {
      slot.gaveUp = true;
      this.emit('giveup', { slot: slot.index, worker, code, signal, crashes: times.length, windowMs: this.options.restartWindowMs });
      return;
    }
    const delayMs = backoffDelay(streak, this.options.initialDelayMs, this.options.maxDelayMs);
    this.emit('crash', { slot: slot.index, worker, code, signal, delayMs, streak });
    slot.timer = setTimeout(() => {
      slot.timer = null;
      if (this.stopping || slot.worker !== null) return; // a rolling restart filled it meanwhile
      slot.respawns++;
      void this.#startSlot(slot, 'respawn');
    }, delayMs);
  }

  #onmessage(slot: Slot, worker: WorkerLike, message: unknown): void {
    if (!isTagged(message, HEALTH)) return;
    const report = message as HealthReport;
    this.#health.set(worker.id, { report, at: Date.now() });
    this.emit('health', { slot: slot.index, worker, report });
    const limit = this.options.maxRssBytes;
    if (limit > 0 && report.rss > limit && slot.worker === worker && slot.ready && !this.#replacements.has(slot) && !this.stopping) {
      this.emit('memory', { slot: slot.index, worker, rss: report.rss, limit });
      void this.restartWorker(slot.index, 'memory');
    }
  }

  /** A worker that ever sent a health report runs the helper, so it will answer a drain. */
  #speaks(worker: WorkerLike): boolean {
    return this.#health.has(worker.id);
  }

  #host(): ReplaceHost {
    return {
      options: this.options,
      isStopping: () => this.stopping,
      spawn: (slot, reason) => this.#spawn(slot, reason),
      promote: (slot, worker) => {
        const previous = slot.worker;
        if (slot.timer) clearTimeout(slot.timer);
        Object.assign(slot, { worker, ready: true, startedAt: Date.now(), timer: null, gaveUp: false });
        slot.history.reset();
        this.emit('ready', { slot: slot.index, worker, reason: 'restart' });
        return previous;
      },
      drainTimeoutFor: (worker) => (this.#speaks(worker) ? this.options.drainTimeoutMs : null),
      emit: (event, payload) => this.emit(event, payload),
    };
  }
}
