/**
 * Reads back the engine's trace that _lib/trace-on.ts turned on, so a lesson
 * can print, after each step, exactly the trace lines that step caused,
 * formatted as MINI_CLUSTER_TRACE=1 prints them (src/trace.ts formatLine).
 *
 *   trace file (JSON lines from every process) => new complete lines since the last read
 *              => sorted by time (all processes share the primary's clock) => printed
 *   at the end: the whole file => a page to step through in a browser (writeTracePage)
 *
 * Mirrors: nothing — teaching helper
 * Read next: src/trace.ts (the format), docs/trace.md (the JSONL schema)
 */
// trace-on.ts first: it must set MINI_CLUSTER_TRACE before src/trace.ts reads it.
import { lessonTraceFile } from './trace-on.ts';
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatLine, type TraceEvent } from '../../src/trace.ts';
import { sleep } from './lesson.ts';

export type { TraceEvent };

/** True when this run prints the trace (the lesson turned it on: no --no-trace, no MINI_CLUSTER_TRACE of the learner's). */
export const showingTrace = lessonTraceFile !== null;

let offset = 0; // bytes of the file already read

function size(): number {
  try {
    return statSync(lessonTraceFile!).size;
  } catch {
    return 0; // nothing written yet
  }
}

/**
 * Wait until the trace file has stopped growing for `quietMs` (at most
 * `maxMs`): a worker writes its line when it has handled a message, a few
 * milliseconds after the primary moved on.
 */
export async function traceSettled(quietMs = 40, maxMs = 600): Promise<void> {
  if (!showingTrace) return;
  const end = Date.now() + maxMs;
  let last = size();
  for (;;) {
    await sleep(quietMs);
    const now = size();
    if (now === last || Date.now() > end) return;
    last = now;
  }
}

/** The events written since the last call, oldest first. Each line is one write(), so only a torn tail needs care. */
export function newTraceEvents(): TraceEvent[] {
  if (!showingTrace) return [];
  let text: string;
  try {
    text = readFileSync(lessonTraceFile!, 'utf8');
  } catch {
    return [];
  }
  const bytes = Buffer.from(text, 'utf8');
  const end = bytes.lastIndexOf(0x0a) + 1; // up to the last complete line
  if (end <= offset) return [];
  const chunk = bytes.subarray(offset, end).toString('utf8');
  offset = end;
  const events = chunk.split('\n').filter(Boolean).map((line) => JSON.parse(line) as TraceEvent);
  return events.sort((a, b) => a.t - b.t); // stable: lines with equal times keep their file order
}

export interface ShowOptions {
  /** Print only these (the others are still consumed). */
  filter?: (event: TraceEvent) => boolean;
  /** Print at most this many, then say how many more there were. */
  max?: number;
  indent?: string;
  /** What to say about the lines left out, after their count: "... (12 more lines: ...)". */
  more?: string;
}

/**
 * Wait for the trace to settle, then print the step's new lines under
 * `heading` (none if ''). Returns every new event (also those not printed), for the
 * lesson to count. Prints nothing when the trace is off.
 */
export async function showTrace(heading: string, options: ShowOptions = {}): Promise<TraceEvent[]> {
  if (!showingTrace) return [];
  await traceSettled();
  const events = newTraceEvents();
  const { filter = () => true, max = Infinity, indent = '    ', more = '' } = options;
  const shown = events.filter(filter);
  if (heading !== '') console.log(`${indent.slice(2)}${heading}`);
  for (const event of shown.slice(0, max)) console.log(`${indent}${formatLine(event)}`);
  if (shown.length > max) console.log(`${indent}... (${shown.length - max} more line${shown.length - max === 1 ? '' : 's'}${more ? `: ${more}` : ''})`);
  return events;
}

/** Forget whatever the trace holds so far (start-up lines a step does not want to show). */
export async function skipTrace(): Promise<TraceEvent[]> {
  await traceSettled();
  return newTraceEvents();
}

/** The JSONL file with this run's trace: the lesson's own, or the learner's MINI_CLUSTER_TRACE=path.jsonl. */
function traceSource(): string | null {
  if (lessonTraceFile !== null) return lessonTraceFile;
  const setting = process.env.MINI_CLUSTER_TRACE ?? '';
  return setting === '' || setting === '0' || setting === '1' ? null : path.resolve(setting);
}

/**
 * At the end of a lesson: write its whole trace as a page to step through
 * in a browser (scripts/trace-render/), and print where it is. The page holds
 * every run the file holds, so a learner's own file shows its earlier runs
 * too, each apart. Nothing without a trace file (--no-trace, MINI_CLUSTER_TRACE=1).
 */
export async function writeTracePage(lesson: string): Promise<void> {
  const file = traceSource();
  if (file === null || !existsSync(file)) return;
  await traceSettled();
  // Loaded here, not at the top: workers import this file too, and never need esbuild.
  const { writeTracePage: writePage } = await import('../../scripts/trace-render/html.ts');
  const out = path.join(os.tmpdir(), `mini-cluster-lesson-${lesson}.html`);
  writePage(file, out, `lesson ${lesson}${lessonTraceFile === null ? `, ${file}` : ''}`);
  console.log(`\ntrace page: ${out} (open it in a browser: → and ← step, space plays)`);
}
