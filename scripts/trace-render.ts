/**
 * Renders a JSONL trace (MINI_CLUSTER_TRACE=path.jsonl) as a text sequence
 * diagram, or with --mermaid as a Mermaid sequenceDiagram for the docs.
 *
 *   npm run trace:render -- trace.jsonl [--mermaid]
 *
 * Mirrors: nothing — teaching helper
 * Read next: src/trace.ts, docs/trace.md
 */
import fs from 'node:fs';
import { formatLine, type TraceEvent } from '../src/trace.ts';

export function readTrace(file: string): TraceEvent[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)
    .map((line) => JSON.parse(line) as TraceEvent)
    .sort((a, b) => a.t - b.t); // lines from several processes: order by the shared clock
}

export function renderText(events: TraceEvent[]): string {
  return events.map(formatLine).join('\n');
}

export function renderMermaid(events: TraceEvent[]): string {
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

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
  if (file === undefined) {
    console.error('usage: npm run trace:render -- trace.jsonl [--mermaid]');
    process.exit(2);
  }
  const events = readTrace(file);
  console.log(process.argv.includes('--mermaid') ? renderMermaid(events) : renderText(events));
}
