/**
 * The protocol trace: with MINI_CLUSTER_TRACE set, every internal message is
 * written as one line of a sequence diagram, by the process that receives it,
 * with the decision it led to; every change to a RoundRobinHandle adds a
 * state line (`free=[w2,w4] handles=3 inflight={w1}`).
 *
 *   MINI_CLUSTER_TRACE=1            text lines on stderr
 *   MINI_CLUSTER_TRACE=trace.jsonl  JSON lines appended to that file, by
 *                                   the primary and every worker (docs/trace.md)
 *
 * Mirrors: nothing — Node's NODE_DEBUG=cluster says almost nothing.
 * Read next: src/trace-format.ts (the line's shape), scripts/trace-render/main.ts (JSONL => sequence diagram or page)
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeQueues, formatLine, type LifecycleEvent, type QueueState, type TraceEvent } from './trace-format.ts';
import { WORKER_ID_ENV } from './worker.ts';

export { describeQueues, formatLine, type LifecycleEvent, type QueueState, type TraceEvent };

const setting = process.env.MINI_CLUSTER_TRACE ?? '';
/** Read once at load: with tracing off, every call site is one boolean test. */
export const tracing = setting !== '' && setting !== '0';
const toFile = tracing && setting !== '1';

// A primary and its workers share one clock and one run id: the primary
// starts both, its workers inherit them in the env. Any process that is not
// our worker starts a run of its own, so two primaries appending to one file
// (two runs of a lesson, the demo's two policies) stay apart.
if (process.env[WORKER_ID_ENV] === undefined || process.env.MINI_CLUSTER_TRACE_T0 === undefined) {
  process.env.MINI_CLUSTER_TRACE_T0 = String(Date.now());
  process.env.MINI_CLUSTER_TRACE_RUN = `${process.pid}-${process.env.MINI_CLUSTER_TRACE_T0}`;
}
const t0 = Number(process.env.MINI_CLUSTER_TRACE_T0);
/** `<primary pid>-<its start time>`: on every line, so a file that grows across runs can be split. */
const runId = process.env.MINI_CLUSTER_TRACE_RUN;

let self = 'primary'; // this process's name in the diagram
let fd = -1;
const decisions: string[] = [];
/** Events caused while a message is being handled; written after its line. */
let pending: TraceEvent[] | null = null;
/** Sends made while a message is being handled; released after its line. */
let heldSends: (() => void)[] | null = null;

/** A worker calls this once it knows its id. */
export function traceAs(name: string): void {
  self = name;
}

/** While a handler runs, it says what it decided; traceDispatch() attaches it. */
export function decide(text: string): void {
  if (!tracing) return;
  if (pending !== null) decisions.push(text);
  else traceNote(text); // decided outside a message (a bind finished, a connection came)
}

/**
 * Run the handling of one received internal message, then write its line
 * with the decisions made meanwhile, then the state lines it caused.
 * `id` is the peer worker (in the primary) or this worker (in a worker).
 */
export function traceDispatch(id: number, message: Record<string, unknown>, handle: unknown, run: () => void): void {
  const peer = self === 'primary' ? `w${id}` : 'primary';
  const t = now();
  const outer = pending;
  const outerSends = heldSends;
  pending = [];
  heldSends = [];
  try {
    run();
  } finally {
    const caused = pending;
    const sends = heldSends;
    pending = outer;
    heldSends = outerSends;
    const { cmd, seq, ack, act, key, ...fields } = message;
    void cmd;
    write({
      t, pid: process.pid, run: runId, kind: 'message', from: peer, to: self,
      act: act as string | undefined, seq: seq as number, ack: ack as number | undefined, key: key as string | undefined,
      handle: handle != null, fields, decision: decisions.splice(0).join('; ') || undefined,
    });
    for (const event of caused) write(event);
    // Only now let the replies go, so no peer can log its answer before we log the question.
    for (const send of sends) send();
  }
}

/** While a message is being handled (tracing on), hold `send` until its line is written. */
export function holdSend(send: () => void): boolean {
  if (heldSends === null) return false;
  heldSends.push(send);
  return true;
}

/** A RoundRobinHandle changed: record its queues. */
export function traceState(state: QueueState): void {
  write({ t: now(), pid: process.pid, run: runId, kind: 'state', state });
}

/** Anything else worth a line: a send that could not happen, a request that lost its peer. */
export function traceNote(text: string): void {
  write({ t: now(), pid: process.pid, run: runId, kind: 'note', from: self, text });
}

/**
 * A moment in a worker's life that is not an internal message: forked,
 * exited, sent a message of the user's. A note like any other (its text
 * reads `fork w1: pid 4242`), with `event` and `worker` for the trace page
 * to mark it on that worker's lane.
 */
export function traceLifecycle(event: LifecycleEvent, worker: string, detail = ''): void {
  if (!tracing) return;
  write({ t: now(), pid: process.pid, run: runId, kind: 'note', from: self, event, worker, text: `${event} ${worker}${detail ? `: ${detail}` : ''}` });
}

function now(): number {
  return Math.round((performance.timeOrigin + performance.now() - t0) * 1000) / 1000;
}

function write(event: TraceEvent): void {
  if (pending !== null && event.kind !== 'message') {
    pending.push(event); // written after the line of the message being handled
    return;
  }
  if (toFile) {
    if (fd < 0) fd = fs.openSync(path.resolve(setting), 'a');
    // One write() per line on an O_APPEND file: lines from different
    // processes never interleave inside each other.
    fs.writeSync(fd, `${JSON.stringify(event)}\n`);
  } else {
    process.stderr.write(`${formatLine(event)}\n`);
  }
}
