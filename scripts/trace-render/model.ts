/**
 * The trace page's model, as one pure function: JSONL lines => runs => steps,
 * each step knowing where it is drawn and how every listener's queues stood
 * after it. No I/O and no DOM: the renderer runs it in Node for the specs,
 * and the page runs the very same code in the browser (page.ts).
 *
 *   lines => parse (bad lines counted, not fatal) => group by `run` => sort by `t`
 *         => one step per line: arrow (message), marker (lifecycle), note, or queues (state)
 *         => after each step: the listeners' queues and each worker's last lifecycle mark
 *
 * Mirrors: nothing — teaching aid
 * Read next: scripts/trace-render/page.ts (draws a model), src/trace-format.ts (the lines)
 */
import { describeAct, describeFields, describeQueues, formatLine, type TraceEvent } from '../../src/trace-format.ts';

/** One listener's queues after a step: a state line, with any extra fields a scheduler adds. */
export interface Listener {
  key: string;
  free: string[]; // idle workers, oldest first
  handles: number; // connections waiting in the primary
  inflight: string[]; // workers with a newconn not yet answered
  all: string[]; // every worker on this listener
  extra: [name: string, value: string][]; // whatever else the state line carried, as text
}

/** A mark on a worker's lane: a lifecycle moment, or a message of the user's. */
export interface Marker { lane: string; label: string; user: boolean }

export interface Step {
  n: number; // 1-based within its run: the page's #step=n
  t: number; // ms since this run's primary started
  pid: number; // who wrote the line
  kind: TraceEvent['kind'];
  lane: string; // where a note or a state line is drawn; a message's receiver
  arrow: { from: string; to: string; reply: boolean } | null; // internal messages only
  label: string; // on the arrow: `newconn seq=4 +handle`; otherwise a short tag
  detail: string; // beside the diagram: key, fields, ⇒ decision; a note's text; the queues
  parts: [name: string, value: string][]; // the same, one item each, for the state panel
  line: string; // the text line of MINI_CLUSTER_TRACE=1 for this event
  marker: Marker | null;
  changed: string | null; // the key of the listener this step changed
  listeners: Listener[]; // as they stood after this step; shared with the step before when unchanged
  workers: Record<string, string>; // lane => its last lifecycle mark so far; shared likewise
}

export interface Run {
  n: number; // 1-based, in order of start: the page's #run=n
  id: string | null; // the `run` field; null for lines written before run ids existed
  pid: number | null; // the primary's pid, from the id
  startedAt: number | null; // ms since 1970, from the id
  lanes: string[]; // 'primary', then workers by id
  listenerKinds: string[]; // e.g. ['RoundRobinHandle'], from the primary's queryServer decisions
  steps: Step[];
}

export interface Model { runs: Run[]; badLines: number }

/** Parse JSONL text; a line that is not a trace event is counted and skipped (a torn tail, a stray print). */
export function parseTrace(text: string): { events: TraceEvent[]; badLines: number } {
  const events: TraceEvent[] = [];
  let badLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const e = JSON.parse(line) as TraceEvent;
      if (typeof e?.t === 'number' && typeof e.kind === 'string') events.push(e);
      else badLines++;
    } catch {
      badLines++;
    }
  }
  return { events, badLines };
}

/** JSONL text => the model the page draws. */
export function modelFromText(text: string): Model {
  const { events, badLines } = parseTrace(text);
  return { ...buildModel(events), badLines };
}

/** One run's lines: a primary and its workers, on one clock. */
export interface RunLines { id: string | null; pid: number | null; startedAt: number | null; events: TraceEvent[] }

/**
 * Trace events, in any order => runs apart, in order of start, each run's
 * lines sorted by its own clock (stable: equal times keep their file order).
 * Lines without a run id (files from before run ids) form one run, first.
 */
export function splitRuns(events: TraceEvent[]): RunLines[] {
  const groups = new Map<string | null, TraceEvent[]>();
  for (const e of events) {
    const id = e.run ?? null;
    if (!groups.has(id)) groups.set(id, []);
    groups.get(id)!.push(e);
  }
  return [...groups].map(([id, lines]) => {
    const match = id === null ? null : /^(\d+)-(\d+)$/.exec(id);
    return {
      id, pid: match ? Number(match[1]) : null, startedAt: match ? Number(match[2]) : null,
      events: [...lines].sort((a, b) => a.t - b.t),
    };
  }).sort((a, b) => (a.startedAt ?? -Infinity) - (b.startedAt ?? -Infinity));
}

/** Trace events, in any order => the model: runs apart, one step per line. */
export function buildModel(events: TraceEvent[]): Model {
  return { runs: splitRuns(events).map((lines, i) => buildRun(lines, i + 1)), badLines: 0 };
}

const LIFECYCLE_ACTS = new Set(['online', 'listening', 'disconnect', 'exitedAfterDisconnect']);

function buildRun({ id, pid, startedAt, events }: RunLines, n: number): Run {
  const names = new Set<string>(['primary']);
  const kinds = new Set<string>();
  let listeners: Listener[] = [];
  let workers: Record<string, string> = {};
  const steps = events.map((e, i): Step => {
    for (const name of [e.from, e.to, e.worker]) if (name) names.add(name);
    const made = /^new (\w+) for /.exec(e.decision ?? '');
    if (made) kinds.add(made[1]);
    const step = describe(e, i + 1);
    step.parts = step.parts.filter(([, value]) => value !== '');
    if (e.kind === 'state' && e.state) {
      const next = toListener(e.state as unknown as Record<string, unknown>);
      const at = listeners.findIndex((l) => l.key === next.key);
      listeners = at < 0 ? [...listeners, next] : listeners.map((l, j) => (j === at ? next : l));
      step.changed = next.key;
      if (next.extra.length) step.detail += `  ${next.extra.map(([k, v]) => `${k}=${v}`).join(' ')}`;
    }
    if (step.marker && !step.marker.user) workers = { ...workers, [step.marker.lane]: step.marker.label };
    step.listeners = listeners;
    step.workers = workers;
    return step;
  });
  return {
    n, id, pid, startedAt,
    lanes: [...names].sort(byLane),
    listenerKinds: [...kinds],
    steps,
  };
}

/** 'primary' first, then w1, w2, ..., w10 by number; anything else after, by name. */
function byLane(a: string, b: string): number {
  const rank = (name: string): [number, number, string] => {
    if (name === 'primary') return [0, 0, ''];
    const w = /^w(\d+)$/.exec(name);
    return w ? [1, Number(w[1]), ''] : [2, 0, name];
  };
  const [ra, rb] = [rank(a), rank(b)];
  return ra[0] - rb[0] || ra[1] - rb[1] || ra[2].localeCompare(rb[2]);
}

/** One event => its step, before the queues and marks are filled in. */
function describe(e: TraceEvent, n: number): Step {
  const step: Step = {
    n, t: e.t, pid: e.pid, kind: e.kind, lane: 'primary', arrow: null, label: '', detail: '', parts: [], line: formatLine(e),
    marker: null, changed: null, listeners: [], workers: {},
  };
  if (e.kind === 'message' && e.from && e.to) {
    step.lane = e.to;
    step.arrow = { from: e.from, to: e.to, reply: e.act === undefined };
    step.label = `${e.act !== undefined ? describeAct(e) : `reply seq=${e.ack}`}${e.handle ? ' +handle' : ''}`;
    const extra = describeFields(e.fields);
    step.detail = [e.key ? `key=${e.key}` : '', extra, e.decision ? `⇒ ${e.decision}` : ''].filter(Boolean).join('  ');
    step.parts = [['message', `${e.from} → ${e.to}: ${describeAct(e)}`], ['key', e.key ?? ''], ['fields', extra],
      ['handle', e.handle ? 'a handle (socket) rode along' : ''], ['⇒ decision', e.decision ?? '']];
    if (e.act !== undefined && LIFECYCLE_ACTS.has(e.act)) {
      // The worker's side of it: it came online, listens, is asked to leave, leaves on purpose.
      const worker = e.from === 'primary' ? e.to : e.from;
      const port = e.act === 'listening' && e.fields?.port !== undefined ? ` :${String(e.fields.port)}` : '';
      step.marker = { lane: worker, label: `${e.act}${port}`, user: false };
    }
  } else if (e.kind === 'state' && e.state) {
    step.label = 'queues';
    step.detail = describeQueues(e.state);
    step.parts = [['queues of', e.state.key]];
  } else {
    step.lane = e.worker ?? e.from ?? 'primary';
    step.label = e.event ?? 'note';
    step.detail = e.text ?? '';
    step.parts = [['note by', e.from ?? ''], [e.event ?? 'text', e.text ?? '']];
    if (e.event !== undefined && e.worker !== undefined) step.marker = { lane: e.worker, label: e.event, user: e.event === 'message' };
  }
  return step;
}

const KNOWN = new Set(['key', 'free', 'handles', 'inflight', 'all']);

function toListener(state: Record<string, unknown>): Listener {
  const names = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
  return {
    key: String(state.key),
    free: names(state.free),
    handles: typeof state.handles === 'number' ? state.handles : Number(state.handles) || 0,
    inflight: names(state.inflight),
    all: names(state.all),
    extra: Object.entries(state).filter(([k]) => !KNOWN.has(k))
      .map(([k, v]) => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)]),
  };
}

/** `run 2 of 2 · primary pid 4242 · 82 lines · RoundRobinHandle`: the run's tab on the page. */
export function describeRun(run: Run, of: number): string {
  const who = run.id === null ? 'lines without a run id' : `primary pid ${run.pid ?? run.id}`;
  const kinds = run.listenerKinds.length ? ` · ${run.listenerKinds.join(', ')}` : '';
  return `run ${run.n} of ${of} · ${who} · ${run.steps.length} line${run.steps.length === 1 ? '' : 's'}${kinds}`;
}
