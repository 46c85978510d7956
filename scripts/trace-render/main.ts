/**
 * Renders a JSONL trace (MINI_CLUSTER_TRACE=path.jsonl) as a text sequence
 * diagram, with --mermaid as a Mermaid sequenceDiagram for the docs, or with
 * --html as a page a learner steps through in the browser. A file that grew
 * across several runs is shown run by run (each has its own clock); --run N
 * keeps only the N-th.
 *
 *   npm run trace:render -- trace.jsonl [--mermaid | --html OUT.html] [--run N]
 *
 * Mirrors: nothing — teaching helper
 * Read next: src/trace.ts, docs/trace.md, scripts/trace-render/model.ts (the page's model)
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { formatLine, type TraceEvent } from '../../src/trace.ts';
import { parseTrace, splitRuns, type RunLines } from './model.ts';
import { writeTracePage } from './html.ts';

/** Every event of the file, run after run, each run in time order; lines that are not events are left out. */
export function readTrace(file: string): TraceEvent[] {
  return splitRuns(parseTrace(fs.readFileSync(file, 'utf8')).events).flatMap((run) => run.events);
}

/** `== run 2 of 2: primary pid 4242, started 2025-01-31T10:00:00.000Z`, or a plain heading for old lines. */
function runHeading(run: RunLines, n: number, of: number): string {
  const who = run.id === null ? 'lines without a run id' : `primary pid ${run.pid ?? run.id}`;
  const when = run.startedAt === null ? '' : `, started ${new Date(run.startedAt).toISOString()}`;
  return `== run ${n} of ${of}: ${who}${when}`;
}

export function renderText(events: TraceEvent[]): string {
  const runs = splitRuns(events);
  if (runs.length <= 1) return events.map(formatLine).join('\n');
  return runs.map((run, i) => [runHeading(run, i + 1, runs.length), ...run.events.map(formatLine)].join('\n')).join('\n\n');
}

/** One diagram per run; with several runs, each opens with a `%%` comment naming it. */
export function renderMermaid(events: TraceEvent[]): string {
  const runs = splitRuns(events);
  if (runs.length <= 1) return mermaidOf(events);
  return runs.map((run, i) => `%% ${runHeading(run, i + 1, runs.length).slice(3)}\n${mermaidOf(run.events)}`).join('\n\n');
}

function mermaidOf(events: TraceEvent[]): string {
  const names = new Set<string>(['primary']);
  for (const e of events) for (const n of [e.from, e.to]) if (n) names.add(n);
  const safe = (text: string): string => text.replace(/[;#]/g, ' ').replace(/\s+/g, ' ').trim();
  const lines = ['sequenceDiagram', ...[...names].map((n) => `  participant ${n}`)];
  for (const e of events) {
    if (e.kind === 'message' && e.from && e.to) {
      const label = e.act !== undefined ? `${e.act} seq=${e.seq}` : `reply to seq=${e.ack}`;
      const arrow = e.act !== undefined ? '->>' : '-->>';
      const extra = e.fields && 'accepted' in e.fields ? ` accepted=${String(e.fields.accepted)}` : '';
      lines.push(`  ${e.from}${arrow}${e.to}: ${safe(label + extra + (e.handle ? ' +handle' : ''))}`);
      if (e.decision) lines.push(`  Note over ${e.to}: ${safe(e.decision)}`);
    } else if (e.kind === 'state' && e.state) {
      const { free, handles, inflight } = e.state;
      lines.push(`  Note over primary: free=[${free}] handles=${handles} inflight={${inflight}}`);
    } else if (e.kind === 'note' && e.text) {
      lines.push(`  Note over ${e.from ?? 'primary'}: ${safe(e.text)}`);
    }
  }
  return lines.join('\n');
}

function valueOf(flag: string): string | undefined {
  const at = process.argv.indexOf(flag);
  return at < 0 ? undefined : process.argv[at + 1];
}

// Only when run as the command (other scripts import readTrace from here).
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const file = args.find((a, i) => !a.startsWith('--') && !['--html', '--run'].includes(args[i - 1]));
  const html = valueOf('--html');
  const only = valueOf('--run');
  if (file === undefined || (args.includes('--html') && !html) || (only !== undefined && !(Number(only) >= 1))) {
    console.error('usage: npm run trace:render -- trace.jsonl [--mermaid | --html OUT.html] [--run N]');
    process.exit(2);
  }
  if (html !== undefined) {
    const { badLines } = writeTracePage(file, html);
    if (badLines > 0) console.error(`${badLines} line(s) of ${file} are not trace events: the page leaves them out`);
    console.log(`trace page: ${html}`);
  } else {
    let events = readTrace(file);
    if (only !== undefined) events = splitRuns(events)[Number(only) - 1]?.events ?? [];
    console.log(process.argv.includes('--mermaid') ? renderMermaid(events) : renderText(events));
  }
}
