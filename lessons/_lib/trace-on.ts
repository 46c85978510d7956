/**
 * Turns the engine's protocol trace on for a lesson (06, 07, 08). Import it
 * FIRST in main.ts, before anything from src/: the engine reads
 * MINI_CLUSTER_TRACE once, when src/trace.ts loads, and ES modules run in
 * the order they are imported.
 *
 *   lesson primary: MINI_CLUSTER_TRACE=<temp>.jsonl => the primary and every worker append JSON lines
 *                   => showTrace() (_lib/trace.ts) prints each step's lines, in time order
 *
 * Left alone when the learner already set MINI_CLUSTER_TRACE (=1 prints
 * every line to stderr as it happens, docs/trace.md) or passed --no-trace.
 * Workers inherit the variable and find it set, so they change nothing.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/_lib/trace.ts, docs/trace.md
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function turnOn(): string | null {
  if (process.env.MINI_CLUSTER_TRACE !== undefined || process.argv.includes('--no-trace')) return null;
  const file = path.join(os.tmpdir(), `mini-cluster-lesson-trace-${process.pid}.jsonl`);
  rmSync(file, { force: true });
  process.env.MINI_CLUSTER_TRACE = file;
  // Only the process that chose the file removes it.
  process.on('exit', () => rmSync(file, { force: true }));
  return file;
}

/** The JSONL file this lesson reads its trace from; null when the lesson does not print the trace. */
export const lessonTraceFile: string | null = turnOn();
