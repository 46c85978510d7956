// The messages between the three kinds of process in a comparison, and the
// JSON-lines framing used on the orchestrator ⇄ primary pipe.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/primary.ts
//
//   orchestrator (main.ts) ──fd 3, JSON lines──> primary.ts ──cluster IPC──> worker.ts
//        {cmd:'begin'|'end'|'stop'}               {type:'compare:stats', seq}
//   <── {type:'ready'|'begun'|'ended'|...}   <── {type:'compare:stats', seq, counts}
//
// The primary talks to the orchestrator over a plain extra pipe (fd 3), not
// an IPC channel, so the primary process looks exactly like one a user would
// start by hand: nothing about it can make either cluster think it is a worker.

import type { Socket } from 'node:net';

export type Impl = 'mini-cluster' | 'node:cluster';
export type Policy = 'rr' | 'none' | 'reuseport'; // reuseport: mini-cluster only, Node >= 22.12 (--schedulers)
export type Workload = 'keepalive' | 'churn' | 'trickle' | 'skewed'; // skewed: churn with slow requests (--schedulers)
/** Who picks the worker under rr (mini-cluster's setupPrimary({ scheduler })); null where the kernel does (none, reuseport). */
export type Scheduler = 'round-robin' | 'least-connections' | 'power-of-two' | 'source-hash';
export const SCHEDULERS: readonly Scheduler[] = ['round-robin', 'least-connections', 'power-of-two', 'source-hash'];

/** Orchestrator → primary. */
export type Command =
  | { cmd: 'begin'; id: number } // snapshot counters, start sampling RSS
  | { cmd: 'end'; id: number } // snapshot again, reply with the differences
  | { cmd: 'stop' }; // kill the workers, then exit

/** Worker → primary: the worker's own cumulative counters. */
export interface WorkerCounts {
  pid: number;
  connections: number;
  requests: number;
  rssBytes: number; // as found, under whatever load there was
  rssAfterGcBytes: number; // after a full GC: what is really retained
  heapUsedAfterGcBytes: number;
}

/** One worker's share of one run, as the primary measured it. */
export interface WorkerFigures {
  pid: number;
  connections: number; // 'connection' events during the run
  requests: number; // 'request' events during the run
  voluntaryCtxtSwitches: number | null; // increase during the run; null without /proc
  rssMiB: number; // at the end of the run
  rssAfterGcMiB: number; // at the end of the run, after a full GC
  heapUsedAfterGcMiB: number;
}

/** What the primary measured over one run, between 'begin' and 'end'. */
export interface PrimaryFigures {
  workers: WorkerFigures[];
  primaryCpuUs: { user: number; system: number };
  primaryRssMiB: { start: number; middle: number; end: number; peak: number }; // sampled every 50 ms
  primaryRssAfterGcMiB: number; // at the end of the run, after a full GC
  elapsedMs: number;
}

/** Primary → orchestrator. */
export type Report =
  | { type: 'ready'; port: number; primaryPid: number; workerPids: number[]; schedulingPolicy: number; proc: boolean; startupMs: number; scheduler?: string }
  | { type: 'begun'; id: number }
  | { type: 'ended'; id: number; figures: PrimaryFigures }
  | { type: 'worker-exit'; pid: number; code: number | null; signal: string | null }
  | { type: 'failed'; message: string };

/** The skewed workload (GET /skew/<n>): every SLOW_EVERY-th request a worker serves does SLOW_FACTOR × n work. */
export const SLOW_EVERY = 20;
export const SLOW_FACTOR = 50;

/** The `type` of the stats request and reply between primary and worker. */
export const STATS = 'compare:stats';

/** Writes one message as a line of JSON. */
export function writeLine(socket: Socket, message: Command | Report): void {
  socket.write(JSON.stringify(message) + '\n');
}

/** Calls `onMessage` once per complete JSON line read from `socket`. */
export function readLines<T>(socket: Socket, onMessage: (message: T) => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.trim() !== '') onMessage(JSON.parse(line) as T);
    }
  });
}
