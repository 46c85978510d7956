/**
 * What the supervisor needs from a cluster, and the user messages it
 * exchanges with the worker-side helper. Only the public API appears here,
 * so `node:cluster` and mini-cluster both fit: the supervisor is a client of
 * cluster, not a part of it.
 *
 * Mirrors: nothing — the patterns of PM2 and of the articles in docs/sources.md
 * Read next: src/supervisor/supervisor.ts (the primary side), src/supervisor/health.ts (the worker side)
 *
 *   primary (supervisor)                           worker (health.ts)
 *     |<-- {cmd:'mini-cluster:health', rss, ...} ---|  every intervalMs
 *     |<-- {cmd:'mini-cluster:ready'} --------------|  signalReady(), slow starters
 *     |--- {cmd:'mini-cluster:drain'} ------------->|  before a planned disconnect
 *     |<-- {cmd:'mini-cluster:drained'} ------------|  its keep-alive sockets are gone
 */

/**
 * The few members of a cluster Worker the supervisor uses. Both
 * `node:cluster`'s Worker and ours (src/worker.ts) have them.
 */
export interface WorkerLike {
  readonly id: number;
  readonly process: { readonly pid?: number };
  /** True once the worker leaves on purpose: the supervisor never respawns those. */
  readonly exitedAfterDisconnect: boolean | undefined;
  send(message: object): boolean;
  disconnect(): unknown;
  kill(signal?: NodeJS.Signals): void;
  isDead(): boolean;
  isConnected(): boolean;
  on(event: string, listener: (...args: any[]) => void): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

/** The part of the cluster object the supervisor uses: fork(), and the workers to stop at shutdown. */
export interface ClusterLike {
  readonly isPrimary: boolean;
  fork(env?: NodeJS.ProcessEnv): WorkerLike;
  readonly workers?: NodeJS.Dict<WorkerLike>;
}

// The tags are plain user messages: no `NODE_` prefix, so they reach the
// ordinary 'message' events on both sides (a user's listener sees them too).
export const HEALTH = 'mini-cluster:health';
export const READY = 'mini-cluster:ready';
export const DRAIN = 'mini-cluster:drain';
export const DRAINED = 'mini-cluster:drained';

/** One health report, worker → primary. All figures are the worker's own. */
export interface HealthReport {
  cmd: typeof HEALTH;
  pid: number;
  /** Resident set size in bytes: what the kernel charges the process (the memory threshold uses it). */
  rss: number;
  heapUsed: number;
  /** CPU time (user + system) over the last interval, as a percent of one core. */
  cpuPercent: number;
  /** HTTP requests since the helper started, and during the last interval. */
  requests: number;
  requestsInInterval: number;
  /** Open TCP connections on the server right now. */
  connections: number;
  intervalMs: number;
}

/** Is `message` one of ours with this tag? User messages can be anything, even strings. */
export function isTagged(message: unknown, cmd: string): boolean {
  return typeof message === 'object' && message !== null && (message as { cmd?: unknown }).cmd === cmd;
}
