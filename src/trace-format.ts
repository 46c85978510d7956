/**
 * The trace's data and its text form, with no I/O: the shape of one JSONL
 * line (docs/trace.md) and the line MINI_CLUSTER_TRACE=1 prints for it.
 * src/trace.ts writes these lines; the renderer, the lessons and the trace
 * page in the browser (scripts/trace-render/) read them back, so this file
 * imports nothing, not even node:fs.
 *
 * Mirrors: nothing — teaching aid
 * Read next: src/trace.ts (who writes the lines), scripts/trace-render/model.ts (how the page reads them)
 */

/** One trace event; the JSONL schema (docs/trace.md). */
export interface TraceEvent {
  t: number; // ms since the primary started
  pid: number; // the process that wrote the line
  run?: string; // '<primary pid>-<primary start, ms since 1970>'; absent in files from before run ids
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
  event?: LifecycleEvent; // a note about a worker's life (traceLifecycle)
  worker?: string; // the worker that note is about
}

/** What traceLifecycle() records about a worker, beside the internal messages. */
export type LifecycleEvent = 'fork' | 'exit' | 'message';

/**
 * A RoundRobinHandle's queues, by worker name: what a state line records.
 * A scheduler may add fields of its own (counts, weights); readers show them as they come.
 */
export interface QueueState { key: string; free: string[]; handles: number; inflight: string[]; all: string[]; [extra: string]: unknown }

/** `RR key free=[w2,w4] handles=3 inflight={w1}`: the trace's and the step-through's view. */
export function describeQueues({ key, free, handles, inflight, scheduler, open, waiting }: QueueState): string {
  const base = `RR ${key} free=[${free.join(',')}] handles=${handles} inflight={${inflight.join(',')}}`;
  if (typeof scheduler !== 'string') return base;
  // A scheduled handle (scheduled-handle.ts) also shows what its scheduler goes by.
  const list = (m: unknown): string => Object.entries((m ?? {}) as Record<string, number>).map(([w, n]) => `${w}:${n}`).join(',');
  return `${base} ${scheduler} open={${list(open)}} waiting={${list(waiting)}}`;
}

/** The text form of one event, as MINI_CLUSTER_TRACE=1 prints it. */
export function formatLine(e: TraceEvent): string {
  const time = `+${e.t.toFixed(1).padStart(8)}ms`;
  if (e.kind === 'state' && e.state) return `${time}  ${''.padEnd(22)}  ${describeQueues(e.state)}`;
  if (e.kind === 'note') return `${time}  ${(e.from ?? '').padEnd(22)}  ${e.text}`;
  const arrow = `${e.from} → ${e.to}`.padEnd(22);
  const extra = describeFields(e.fields);
  const parts = [time, arrow, describeAct(e), e.key ? `key=${e.key}` : '', extra, e.handle ? '+handle' : '', e.decision ? `⇒ ${e.decision}` : ''];
  return parts.filter(Boolean).join('  ');
}

/** `newconn seq=2` for a request, `reply to seq=2` for a reply. */
export function describeAct(e: TraceEvent): string {
  return e.act !== undefined ? `${e.act} seq=${e.seq}` : `reply to seq=${e.ack}`;
}

/** A message's other fields as `name=value` pairs, objects as JSON; empty ones left out. */
export function describeFields(fields: Record<string, unknown> | undefined): string {
  return Object.entries(fields ?? {}).filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ');
}
