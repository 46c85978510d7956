/**
 * The supervisor's settings, their defaults, and the records it hands out
 * (events, stats(), restart and shutdown results). Defaults follow PM2 where
 * PM2 has a figure, and say so.
 *
 * Mirrors: nothing — the patterns of PM2 and of the articles in docs/sources.md
 * Read next: src/supervisor/supervisor.ts
 */
import type { CrashHistory } from './backoff.ts';
import type { Readiness, ReadyGate } from './lifecycle.ts';
import type { HealthReport, WorkerLike } from './protocol.ts';

export interface SupervisorOptions {
  /** How many workers (slots) to keep running. */
  workers: number;
  /** Extra environment for every worker; each also gets MINI_CLUSTER_SLOT=<index>. */
  env?: NodeJS.ProcessEnv;
  /** 'listening' (default) or 'message': wait for the worker's {cmd:'mini-cluster:ready'} (PM2's wait_ready). */
  readiness?: Readiness;
  /** A worker not ready by then is killed and counts as a crash (PM2's listen_timeout is 3 s). */
  readyTimeoutMs?: number;
  /**
   * One more condition before a new worker counts as ready, within the same
   * readyTimeoutMs: e.g. `(w) => hub.joined(w)`, "it has the shared state"
   * (src/messaging/). A rejection counts as not ready.
   */
  readyGate?: ReadyGate | null;
  /** Backoff before a respawn: initialDelayMs doubling up to maxDelayMs (PM2: 100 ms to 15 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A worker that ran this long before crashing resets the doubling. */
  stableAfterMs?: number;
  /** More than maxRestarts crashes within restartWindowMs: the slot is given up. */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** Before a planned disconnect, how long to wait for the worker's keep-alive sockets to close. */
  drainTimeoutMs?: number;
  /** After disconnect(), how long a worker may finish in-flight requests before SIGKILL (PM2: 1.6 s). */
  killTimeoutMs?: number;
  /** Replace a worker (rolling, just that one) whose reported RSS goes above this; 0 = never. */
  maxRssBytes?: number;
  /** Signals that start a rolling restart: SIGUSR2 and SIGHUP (as nginx reloads). */
  restartSignals?: NodeJS.Signals[];
  /** Signals that start a graceful shutdown. A second one forces it. */
  shutdownSignals?: NodeJS.Signals[];
  /** After a shutdown started by a signal, exit the primary with the result's code. */
  exitOnShutdown?: boolean;
}

export type Settings = Required<SupervisorOptions>;

export function withDefaults(options: SupervisorOptions): Settings {
  if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError(`workers must be a positive integer, got ${options.workers}`);
  return {
    env: {}, readiness: 'listening', readyTimeoutMs: 10_000, readyGate: null,
    initialDelayMs: 100, maxDelayMs: 15_000, stableAfterMs: 30_000,
    maxRestarts: 10, restartWindowMs: 60_000,
    // 5 s rather than PM2's 1.6 s: a slow request deserves to finish.
    drainTimeoutMs: 1_000, killTimeoutMs: 5_000, maxRssBytes: 0,
    restartSignals: ['SIGUSR2', 'SIGHUP'], shutdownSignals: ['SIGINT', 'SIGTERM'], exitOnShutdown: true,
    ...options,
  };
}

/** One position in the pool. Workers come and go; the slot, its index and its crash history stay. */
export interface Slot {
  readonly index: number;
  /** The worker serving this slot (perhaps still starting); null while a respawn is pending or given up. */
  worker: WorkerLike | null;
  /** Whether `worker` passed its readiness wait. */
  ready: boolean;
  /** When `worker` was forked: how long it lived decides whether a crash resets the backoff. */
  startedAt: number;
  /** Respawns after crashes, over the slot's whole life (stats). */
  respawns: number;
  readonly history: CrashHistory;
  /** The pending respawn, between a crash and its backoff delay. */
  timer: NodeJS.Timeout | null;
  /** True once the crash-loop cap was hit; a rolling restart clears it. */
  gaveUp: boolean;
}

/** Why a worker was forked. */
export type ForkReason = 'start' | 'respawn' | 'restart' | 'memory' | 'manual';

/** What stats() returns, one per slot. */
export interface WorkerStats {
  slot: number;
  id: number | null;
  pid: number | null;
  state: 'starting' | 'ready' | 'respawning' | 'gave-up' | 'empty';
  uptimeMs: number;
  respawns: number;
  crashesInWindow: number;
  /** The latest report from the worker's health helper, and its age; null before the first. */
  health: HealthReport | null;
  reportAgeMs: number | null;
}

/** A slot as stats() shows it; `health` is the latest report of its worker and when it came. */
export function slotStats(slot: Slot, health: { report: HealthReport; at: number } | undefined, now: number): WorkerStats {
  const { worker } = slot;
  const state = worker ? (slot.ready ? 'ready' : 'starting') : slot.gaveUp ? 'gave-up' : slot.timer ? 'respawning' : 'empty';
  return {
    slot: slot.index, id: worker?.id ?? null, pid: worker?.process.pid ?? null, state,
    uptimeMs: worker ? now - slot.startedAt : 0, respawns: slot.respawns, crashesInWindow: slot.history.times.length,
    health: health?.report ?? null, reportAgeMs: health ? now - health.at : null,
  };
}

/** One worker replaced by a rolling restart (or a memory restart). */
export interface Replacement {
  slot: number;
  reason: ForkReason;
  ok: boolean;
  oldPid: number | null;
  newPid: number | null;
  /** The old worker had to be killed after killTimeoutMs. */
  forced: boolean;
  error?: string;
}

export interface ShutdownResult {
  reason: string;
  workers: number;
  /** Some worker had to be killed: in-flight work may have been lost. */
  forced: boolean;
  /** 0 when every worker left by itself, 1 when any had to be forced. */
  code: 0 | 1;
}
