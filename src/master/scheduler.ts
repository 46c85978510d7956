/**
 * Choosing a worker for a connection, beyond round robin: the mechanism
 * Node's maintainers asked for when they closed every scheduler proposal
 * ("too much policy, too little mechanism", nodejs/node #3142, #11546,
 * #18315, #22944), and four policies on top of it. RoundRobinHandle asks
 * `pick()` once per connection; round robin itself stays Node's own code
 * path in round-robin-handle.ts and never comes here.
 *
 * Mirrors: nothing — Node has no scheduler (DIVERGENCE: an extension, set with
 *          setupPrimary({ scheduler }) or MINI_CLUSTER_SCHEDULER)
 * Read next: src/master/scheduled-handle.ts (enqueue, where pick() is called)
 *
 *   'least-connections'  fewest open (+ pending) connections; ties in round-robin order
 *   'power-of-two'       two random candidates, the one with fewer
 *   'source-hash'        the client address picks the worker (rendezvous hashing)
 *   (candidates, connection) => worker   your own; a throw or a non-candidate falls back
 */
import type { Worker } from '../worker.ts';

/** One worker on the listener, as a scheduler sees it. */
export interface Candidate {
  worker: Worker;
  /** Connections it holds on this listener: handed off and not yet closed. */
  open: number;
  /** Connections on their way to it: the one newconn in flight plus those waiting for it. */
  pending: number;
  /** No newconn in flight: it can be handed a connection at once. */
  idle: boolean;
}

/** What a scheduler may know of the connection (getpeername of the accepted socket). */
export interface ConnectionInfo {
  remoteAddress?: string;
  remotePort?: number;
  family?: string;
}

export type SchedulerFunction = (candidates: readonly Candidate[], connection: ConnectionInfo) => Worker;
export type SchedulerSetting = 'round-robin' | 'least-connections' | 'power-of-two' | 'source-hash' | SchedulerFunction;
export const SCHEDULERS = ['round-robin', 'least-connections', 'power-of-two', 'source-hash'] as const;

export interface Choice {
  worker: Worker;
  /** For the trace: `w3 (2 open) over w1 (3)`. */
  why: string;
  /** The user's function failed (threw, or returned a non-candidate): round robin chose. */
  fallback?: string;
}

export interface Scheduler {
  readonly name: string;
  /** Needs the client's address: only then does the primary ask for it. */
  readonly needsPeer: boolean;
  /** Needs open counts: only then do workers report their connections closing. */
  readonly countsConnections: boolean;
  /** `candidates` are in round-robin order (idle ones first, oldest idle first); never empty. */
  pick(candidates: readonly Candidate[], connection: ConnectionInfo): Choice;
}

/** The setting, checked: a clear error names what is allowed. */
export function checkScheduler(setting: unknown): SchedulerSetting {
  if (typeof setting === 'function') return setting as SchedulerFunction;
  if ((SCHEDULERS as readonly unknown[]).includes(setting)) return setting as SchedulerSetting;
  throw new TypeError(`scheduler must be one of ${SCHEDULERS.map((s) => `'${s}'`).join(', ')} or a function (candidates, connection) => worker; got ${JSON.stringify(setting)}`);
}

/** null for round robin: RoundRobinHandle then runs Node's code path, untouched. */
export function createScheduler(setting: SchedulerSetting | undefined): Scheduler | null {
  if (setting === undefined || setting === 'round-robin') return null;
  if (setting === 'least-connections') return leastConnections;
  if (setting === 'power-of-two') return powerOfTwo;
  if (setting === 'source-hash') return sourceHash();
  return custom(setting);
}

const load = (c: Candidate): number => c.open + c.pending;
const name = (c: Candidate): string => `w${c.worker.id}`;

/** nginx least_conn, HAProxy leastconn: a full scan, the first of the least loaded wins (so ties go round robin). */
const leastConnections: Scheduler = {
  name: 'least-connections', needsPeer: false, countsConnections: true,
  pick(candidates) {
    let best = candidates[0]!;
    for (const c of candidates) if (load(c) < load(best)) best = c;
    const runnerUp = candidates.filter((c) => c !== best).sort((a, b) => load(a) - load(b))[0];
    return { worker: best.worker, why: `${name(best)} (${load(best)} open) over ${runnerUp ? `${name(runnerUp)} (${load(runnerUp)})` : 'nobody'}` };
  },
};

/**
 * Envoy LEAST_REQUEST, nginx `random two least_conn`, HAProxy random(2): two
 * candidates at random, the less loaded. O(1) whatever the worker count,
 * and nearly as even as the full scan (the busiest gets about ln ln n / ln 2
 * over the mean instead of ln n / ln ln n for one random choice).
 */
const powerOfTwo: Scheduler = {
  name: 'power-of-two', needsPeer: false, countsConnections: true,
  pick(candidates) {
    const n = candidates.length;
    const i = Math.floor(Math.random() * n);
    const a = candidates[i]!;
    if (n === 1) return { worker: a.worker, why: `${name(a)} (the only one)` };
    let j = Math.floor(Math.random() * (n - 1)); // the second, drawn from the others
    if (j >= i) j++;
    const b = candidates[j]!;
    const [win, lose] = load(b) < load(a) ? [b, a] : [a, b];
    return { worker: win.worker, why: `${name(win)} (${load(win)} open) over ${name(lose)} (${load(lose)})` };
  },
};

/**
 * nginx `hash $remote_addr consistent`, HAProxy `source` with consistent
 * hashing: rendezvous (highest random weight) hashing. Each worker scores
 * hash(address, worker id); the highest score wins. While the workers stay
 * the same, one address always reaches one worker; when one of N leaves,
 * only its addresses move (about 1/N), where `hash % N` would move most.
 * Behind a proxy every connection has the proxy's address: one worker gets
 * everything (the known failure of sticky sessions), hence the warning.
 */
function sourceHash(): Scheduler {
  const seen = { address: undefined as string | undefined, count: 0, warned: false };
  return {
    name: 'source-hash', needsPeer: true, countsConnections: false,
    pick(candidates, connection) {
      const address = connection.remoteAddress ?? '';
      let best = candidates[0]!;
      let bestScore = -1;
      for (const c of candidates) {
        const score = hash32(`${address}/${c.worker.id}`);
        if (score > bestScore) [best, bestScore] = [c, score];
      }
      warnIfOneSource(seen, address, candidates.length);
      return { worker: best.worker, why: `${name(best)} for ${address || 'an unknown address'}${best.idle ? '' : ' (busy: the connection waits for it)'}` };
    },
  };
}

/**
 * A 32-bit hash that mixes well enough for rendezvous hashing: FNV-1a over
 * the UTF-16 code units, then murmur3's finaliser so that nearby inputs
 * (10.0.0.1 and 10.0.0.2) land far apart. (Not node:crypto: loading it in
 * every worker would slow start-up for a choice that needs no security.)
 */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function warnIfOneSource(seen: { address?: string; count: number; warned: boolean }, address: string, workers: number): void {
  if (seen.warned) return;
  if (seen.address !== address) {
    seen.address = address;
    seen.count = 0;
  }
  if (++seen.count === 100 && workers > 1) {
    seen.warned = true;
    process.emitWarning(`source-hash: the last 100 connections all came from ${address}; behind a proxy every client has its address, so one worker gets everything`, 'MiniClusterWarning');
  }
}

/** The user's own function, guarded: what it gets wrong falls back to round robin, counted. */
function custom(fn: SchedulerFunction): Scheduler {
  return {
    name: fn.name || 'custom', needsPeer: true, countsConnections: true,
    pick(candidates, connection) {
      let chosen: unknown;
      try {
        chosen = fn(candidates, connection);
      } catch (err) {
        return fallback(candidates, `it threw ${(err as Error)?.message ?? String(err)}`);
      }
      const hit = candidates.find((c) => c.worker === chosen);
      if (hit === undefined) return fallback(candidates, 'it returned no candidate');
      return { worker: hit.worker, why: `${name(hit)} (${fn.name || 'custom'})` };
    },
  };
}

/** Round robin's choice among candidates in round-robin order: the first one. */
function fallback(candidates: readonly Candidate[], reason: string): Choice {
  const c = candidates[0]!;
  return { worker: c.worker, why: `${name(c)} (round robin: the scheduler failed, ${reason})`, fallback: reason };
}
