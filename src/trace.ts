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
 * Read next: scripts/trace-render.ts (JSONL => sequence diagram)
 */
import fs from 'node:fs';
import path from 'node:path';

const setting = process.env.MINI_CLUSTER_TRACE ?? '';
/** Read once at load: with tracing off, every call site is one boolean test. */
export const tracing = setting !== '' && setting !== '0';
const toFile = tracing && setting !== '1';

// All processes share one clock: the primary's start, passed down in the env.
process.env.MINI_CLUSTER_TRACE_T0 ??= String(Date.now());
const t0 = Number(process.env.MINI_CLUSTER_TRACE_T0);

/** One trace event; the JSONL schema (docs/trace.md). */
export interface TraceEvent {
  t: number; // ms since the primary started
  pid: number; // the process that wrote the line
  kind: 'message' | 'state' | 'note';
  from?: string; // 'primary' or 'w<id>'
  to?: string;
  act?: string; // the request's act; absent on replies
  seq?: number;
  ack?: number; // on replies: the seq answered
  key?: string;
  handle?: boolean; // a handle rode along
  fields?: Record<string, unknown>; // the rest of the message
  decision?: string; // what the receiver did about it
  state?: QueueState;
  text?: string; // kind 'note'
}

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
      t, pid: process.pid, kind: 'message', from: peer, to: self,
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

/** A RoundRobinHandle's queues, by worker name: what a state line records. */
export interface QueueState { key: string; free: string[]; handles: number; inflight: string[]; all: string[] }

/** A RoundRobinHandle changed: record its queues. */
export function traceState(state: QueueState): void {
  write({ t: now(), pid: process.pid, kind: 'state', state });
}

/** `RR key free=[w2,w4] handles=3 inflight={w1}`: the trace's and the step-through's view. */
export function describeQueues({ key, free, handles, inflight }: QueueState): string {
  return `RR ${key} free=[${free.join(',')}] handles=${handles} inflight={${inflight.join(',')}}`;
}

/** Anything else worth a line: a send that could not happen, a request that lost its peer. */
export function traceNote(text: string): void {
  write({ t: now(), pid: process.pid, kind: 'note', from: self, text });
}

function now(): number {
  return Math.round((performance.timeOrigin + performance.now() - t0) * 1000) / 1000;
}

function write(event: TraceEvent): void {
  if (pending !== null && event.kind !== 'message') return void pending.push(event);
  if (toFile) {
    if (fd < 0) fd = fs.openSync(path.resolve(setting), 'a');
    // One write() per line on an O_APPEND file: lines from different
    // processes never interleave inside each other.
    fs.writeSync(fd, `${JSON.stringify(event)}\n`);
  } else {
    process.stderr.write(`${formatLine(event)}\n`);
  }
}

/** The text form of one event: the renderer uses it too. */
export function formatLine(e: TraceEvent): string {
  const time = `+${e.t.toFixed(1).padStart(8)}ms`;
  if (e.kind === 'state' && e.state) return `${time}  ${''.padEnd(22)}  ${describeQueues(e.state)}`;
  if (e.kind === 'note') return `${time}  ${(e.from ?? '').padEnd(22)}  ${e.text}`;
  const arrow = `${e.from} → ${e.to}`.padEnd(22);
  const what = e.act !== undefined ? `${e.act} seq=${e.seq}` : `reply to seq=${e.ack}`;
  const extra = Object.entries(e.fields ?? {}).filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ');
  const parts = [time, arrow, what, e.key ? `key=${e.key}` : '', extra, e.handle ? '+handle' : '', e.decision ? `⇒ ${e.decision}` : ''];
  return parts.filter(Boolean).join('  ');
}
