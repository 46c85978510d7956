// Reads the primary's protocol trace (MINI_CLUSTER_TRACE=file.jsonl, see
// docs/trace.md) at the moments the chaos run killed a worker: how many
// connections were queued in the primary, whether a handoff to the victim
// was in flight, and what happened to them afterwards.
// Mirrors: nothing — teaching helper
// Read next: src/master/round-robin-handle.ts (the queue and the redistribute)
import type { TraceEvent } from '../../src/trace.ts';
import { readTrace } from '../trace-render/main.ts';

export interface KillView {
  /** Accepted by the primary, waiting in RoundRobinHandle.handles for a free worker. */
  queued: number;
  /** A newconn to the victim not answered yet: the primary still owns that client. */
  inflightToVictim: boolean;
  /** Handoffs that never got an answer (peer gone, or the send found the channel closed) and went to another worker. */
  redistributed: number;
}

export interface TraceView {
  kills: KillView[];
  /** Clients the primary closed because the last worker of a listener left (RoundRobinHandle.remove). */
  droppedByLastWorker: number;
  /** The fewest workers attached to the listener after the first one joined: above 0, distribute() never closed a client for want of workers. */
  minWorkersAttached: number;
  events: number;
}

const text = (e: TraceEvent): string => `${e.decision ?? ''} ${e.text ?? ''}`;

/** `kills` are on the trace's clock (ms since MINI_CLUSTER_TRACE_T0), oldest first. */
export function viewTrace(file: string, kills: { t: number; id: number }[]): TraceView {
  const events = readTrace(file);
  const states = events.filter((e) => e.kind === 'state' && e.state);
  const attached = states.map((s) => s.state!.all.length);
  const first = attached.findIndex((n) => n > 0);
  const view: TraceView = { kills: [], droppedByLastWorker: 0, minWorkersAttached: first < 0 ? 0 : Math.min(...attached.slice(first)), events: events.length };
  for (const [i, kill] of kills.entries()) {
    // The queues as they stood just before the SIGKILL.
    let before: TraceEvent | undefined;
    for (const s of states) if (s.t <= kill.t) before = s;
    const until = kills[i + 1]?.t ?? Infinity;
    const redistributed = events.filter((e) => e.t >= kill.t && e.t < until && text(e).includes('no answer will come: redistribute')).length;
    view.kills.push({ queued: before?.state?.handles ?? 0, inflightToVictim: before?.state?.inflight.includes(`w${kill.id}`) ?? false, redistributed });
  }
  for (const e of events) {
    const match = /last worker left .*: (\d+) queued client\(s\) closed/.exec(text(e));
    if (match) view.droppedByLastWorker += Number(match[1]);
  }
  return view;
}
