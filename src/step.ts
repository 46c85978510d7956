/**
 * Step-through mode (MINI_CLUSTER_STEP=1): on a terminal, the primary stops
 * before acting on each internal message, shows it with the round-robin
 * queues it may change, and waits for Enter (`c` then Enter: run on without
 * stopping); once it has acted, it shows the queues again. Off a terminal it
 * never stops. Messages keep their order, so a stepped run ends exactly like
 * an unstepped one, only slower. The time spent at a prompt is counted
 * (pausedMs), so that the lessons' own timers can leave it out.
 *
 * Mirrors: nothing — a teaching aid.
 * Read next: src/trace.ts, lessons/07-round-robin-handle/README.md ("Try this" 1)
 */
import { createRequire } from 'node:module';
import type readline from 'node:readline';
import type { Envelope } from './ipc.ts';

const mode = process.env.MINI_CLUSTER_STEP ?? '';
/**
 * On only in the primary's own terminal. 'pipe' reads the Enters from a
 * non-terminal stdin instead: that is how the specs step through a run.
 */
export const stepping = (mode === '1' && process.stdin.isTTY === true) || mode === 'pipe';

/** Describes what a message is about to touch; the primary supplies it. */
export type StepView = (message: Envelope, from: string) => string;

// How long this process has waited at a prompt, in all (ms).
let pausedTotal = 0;
let pausedSince: number | null = null;

/** Milliseconds spent waiting for the learner so far, the current wait included. */
export function pausedMs(): number {
  return pausedTotal + (pausedSince === null ? 0 : performance.now() - pausedSince);
}

/** The gate for ipc.ts internal(): hold each message until the learner says go. */
export function createStepGate(view: StepView): (from: string) => (message: Envelope, run: () => void) => void {
  const queue: { message: Envelope; from: string; run: () => void }[] = [];
  const typed: string[] = []; // lines typed ahead of time
  let input: readline.Interface | null = null;
  let inputEnded = false;
  let waiting = false;
  let continuing = false;

  function showNext(): void {
    const item = queue[0];
    if (item === undefined) {
      waiting = false;
      if (!inputEnded) input?.pause(); // a paused stdin does not keep the primary alive
      return;
    }
    waiting = true;
    const what = item.message.act ?? `reply to seq=${String(item.message.ack)}`;
    process.stderr.write(`\n⏸  ${item.from} → primary: ${what} ${JSON.stringify(item.message)}\n${view(item.message, item.from)}\n`);
    process.stderr.write('   [Enter] act on it · [c Enter] continue without pausing > ');
    pausedSince = performance.now();
    if (input === null) {
      // Loaded only when stepping, so that no worker or primary pays for it otherwise.
      const { createInterface } = createRequire(import.meta.url)('node:readline') as typeof readline;
      input = createInterface({ input: process.stdin });
      input.on('line', (line) => (typed.push(line), waiting && answer()));
      input.on('close', () => ((inputEnded = true), waiting && answer()));
    }
    // (Node 24 throws on resuming a closed interface; Node 20 ignored it.)
    if (!inputEnded) input.resume();
    if (typed.length > 0 || inputEnded) answer();
  }

  function answer(): void {
    if (pausedSince !== null) pausedTotal += performance.now() - pausedSince;
    pausedSince = null;
    const line = typed.shift() ?? 'c'; // stdin closed: nobody will press Enter again
    process.stderr.write('\n');
    if (line.trim() === 'c') continuing = true;
    const item = queue.shift()!;
    item.run();
    // What acting on it changed (a bind still in progress shows up later).
    process.stderr.write(`   after it:\n${view(item.message, item.from)}\n`);
    if (!continuing) return showNext();
    while (queue.length > 0) queue.shift()!.run();
    waiting = false;
    if (!inputEnded) input?.close();
  }

  return (from) => (message, run) => {
    if (continuing) return run();
    queue.push({ message, from, run });
    if (!waiting) showNext();
  };
}
