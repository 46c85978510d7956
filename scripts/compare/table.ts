// The terminal view: what the columns mean, one table per workload, a table
// of ratios, mini-cluster's targets with met/missed, the memory trend,
// per-worker bar charts, and what the run shows in plain sentences. Plain
// text, no colours, so it reads the same in a terminal, a log file or a PR
// comment.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/html.ts (the same figures as a report)

import type { Impl, Policy, Workload } from './protocol.ts';
import { findings, type Cell, type Figure, type Summary } from './summary.ts';

/** Formats a figure for people: '–' for missing, '∞' for a worker that served nothing. */
export function formatFigure(figure: Figure, value: number | null): string {
  if (value === null || Number.isNaN(value)) return '–';
  if (value === Infinity) return '∞';
  switch (figure) {
    case 'requestsPerSec': case 'connectionsPerSec': case 'primaryCpuUsPerConnection':
      return Math.round(value).toLocaleString('en-US');
    case 'jain': case 'busiestShare':
      return value.toFixed(3);
    case 'p50': case 'p99': case 'wakeupsPerConnection': case 'maxOverMin':
      return value.toFixed(2);
    case 'primaryRssMiB': case 'workerRssMiB':
      return value.toFixed(1);
  }
}

export const FIGURE_LABELS: Record<Figure, string> = {
  requestsPerSec: 'req/s', connectionsPerSec: 'conn/s', p50: 'p50 ms', p99: 'p99 ms', jain: 'Jain',
  maxOverMin: 'max/min', busiestShare: 'busiest', wakeupsPerConnection: 'wakeups/conn',
  primaryCpuUsPerConnection: 'primary µs/conn', primaryRssMiB: 'primary MiB', workerRssMiB: 'worker MiB',
};

/** What each column means, in the terminal (beside the tables) and in the HTML report. */
export const LEGEND: [label: string, meaning: string][] = [
  ['req/s, conn/s', 'requests per second (keep-alive), new connections per second (churn, trickle)'],
  ['p50 ms, p99 ms', 'latency: half the requests took less, 99 in 100 took less'],
  ['Jain', "Jain's fairness index over the per-worker counts, (Σx)² / (n·Σx²): 1 when every worker served the same, 1/n when one served all"],
  ['max/min', "the busiest worker's count over the idlest's (∞: a worker got nothing)"],
  ['busiest', "the busiest worker's share of the total (1/n is an even split)"],
  ['wakeups/conn', "the workers' wakeups (voluntary context switches, from /proc) per connection: about 1 when only the chosen worker wakes, about n when all n do (the thundering herd)"],
  ['primary µs/conn', "the primary's CPU time (user + system) per connection: round robin's cost of accepting and handing each one over"],
  ['primary MiB, worker MiB', "the primary's peak resident memory during the run; the largest worker's at its end"],
];

/** The legend as indented lines. */
export function renderLegend(): string {
  const width = Math.max(...LEGEND.map(([label]) => label.length));
  return ['what the columns mean', ...LEGEND.map(([label, meaning]) => `  ${label.padEnd(width)}  ${meaning}`)].join('\n');
}

/** Which columns matter for which workload. */
export const COLUMNS: Record<Workload, Figure[]> = {
  keepalive: ['requestsPerSec', 'p50', 'p99', 'jain', 'maxOverMin', 'primaryRssMiB', 'workerRssMiB'],
  churn: ['connectionsPerSec', 'p50', 'p99', 'jain', 'maxOverMin', 'wakeupsPerConnection', 'primaryCpuUsPerConnection', 'primaryRssMiB'],
  trickle: ['jain', 'maxOverMin', 'busiestShare', 'wakeupsPerConnection', 'primaryCpuUsPerConnection', 'p50'],
  skewed: ['connectionsPerSec', 'p50', 'p99', 'jain', 'maxOverMin', 'primaryCpuUsPerConnection'],
};

export const WORKLOAD_TITLES: Record<Workload, string> = {
  keepalive: 'keepalive: autocannon, persistent connections (fairness over requests; latency in whole ms)',
  churn: 'churn: a new connection per request (fairness over connections)',
  trickle: 'trickle: sequential connections, 2 ms apart (fairness over connections)',
  skewed: 'skewed: churn where every 20th request of a worker does 50 times the work (fairness over connections)',
};

/** Lays out rows under headers; the first `left` columns are left-aligned, the rest right-aligned. */
export function renderTable(headers: string[], rows: string[][], left = 1): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A horizontal bar of `value / max` of `width` characters, with eighth-block resolution. */
export function bar(value: number, max: number, width = 40): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.round((value / max) * width * 8);
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

const setUpName = (c: { impl: Impl; policy: Policy }) => `${c.impl} ${c.policy}`;

/** What the run was asked for, when it differs from what it did: a --quick run that dropped a round. */
export interface RunShape { roundsAsked: number; budgetSec: number }

export function renderSummary(summary: Summary, shape?: RunShape): string {
  const out: string[] = [];
  const workloads = [...new Set(summary.cells.map((c) => c.workload))];
  const rounds = Math.max(0, ...summary.cells.map((c) => c.runs));
  out.push(`\nresults: medians over ${rounds} round${rounds === 1 ? '' : 's'}${shape && rounds < shape.roundsAsked
    ? ` (${shape.roundsAsked} were asked for; only ${rounds} fitted in the ${shape.budgetSec} s budget, so ${rounds === 1 ? 'each figure is a single run' : 'the medians are over fewer runs'})`
    : ''}`);
  out.push(renderLegend());
  for (const workload of workloads) {
    const cells = summary.cells.filter((c) => c.workload === workload);
    const runs = cells[0]?.runs ?? 0;
    out.push(`\n${WORKLOAD_TITLES[workload]}, medians of ${runs} run${runs === 1 ? '' : 's'}`);
    const headers = ['set-up', ...COLUMNS[workload].map((f) => FIGURE_LABELS[f])];
    out.push(renderTable(headers, cells.map((c) => [setUpName(c), ...COLUMNS[workload].map((f) => formatFigure(f, c.medians[f]))])));
  }
  out.push('\nratios of medians');
  const r = (v: number | null | undefined) => (v == null ? '–' : v.toFixed(2));
  out.push(renderTable(
    ['workload', 'figure', 'mini÷node rr', 'mini÷node none', 'rr÷none mini', 'rr÷none node'],
    summary.ratios.map((row) => [row.workload, FIGURE_LABELS[row.figure], r(row.miniOverNode.rr), r(row.miniOverNode.none), r(row.rrOverNone['mini-cluster']), r(row.rrOverNone['node:cluster'])]),
    2,
  ));
  out.push(`\n${TARGETS_TITLE}`);
  for (const line of TARGETS_NOTE) out.push(`  ${line}`);
  for (const t of summary.targets) {
    out.push(`  ${verdictOf(t).padEnd(19)} ${t.description}: ${t.value === null ? '–' : t.value.toFixed(3)} (target ${t.limit}${rangeOf(t)})`);
    out.push(`  ${''.padEnd(19)} ${t.meaning}`);
  }
  out.push('\nmemory as connections are served (RSS after a full GC, at the end of the first, middle and last run)');
  for (const m of summary.memory) {
    const pts = (f: 'primaryRssMiB' | 'workerRssMiB') => m.points.map((p) => p[f].toFixed(1)).join(' → ');
    out.push(`  ${setUpName(m).padEnd(18)} primary ${pts('primaryRssMiB')} MiB, worker ${pts('workerRssMiB')} MiB,`
      + ` after ${m.points.map((p) => p.afterConnections.toLocaleString('en-US')).join(' → ')} connections: ${m.flat ? 'flat' : 'GROWING'}`);
  }
  return out.join('\n');
}

export const TARGETS_TITLE = "targets: mini-cluster's own goals against node:cluster";
export const TARGETS_NOTE = [
  "The project's goals for itself (not Node's), comparing the two implementations, not the two policies.",
  'One short run on a shared machine moves these ratios by several per cent; "single rounds" shows how far.',
  'A verdict that some single round contradicts ("not settled") needs another run before it means anything.',
];

export function verdictOf(t: Summary['targets'][number]): string {
  if (t.met === null) return 'not measured';
  if (t.met) return t.roundsDisagree ? 'met, not settled' : 'met';
  return t.roundsDisagree ? 'missed, not settled' : 'missed';
}

export const rangeOf = (t: Summary['targets'][number]): string =>
  (t.roundRange ? `; single rounds ${t.roundRange[0].toFixed(2)}–${t.roundRange[1].toFixed(2)}` : '');

/** What this run shows, as a closing paragraph: one sentence per line group, wrapped at 100 columns. */
export function renderFindings(summary: Summary): string {
  const wrap = (sentence: string): string[] => {
    const lines: string[] = [];
    let line = '';
    for (const word of sentence.split(' ')) {
      if (line !== '' && line.length + 1 + word.length > 96) (lines.push(line), (line = word));
      else line = line === '' ? word : `${line} ${word}`;
    }
    return [...lines, line];
  };
  return ['\nwhat this run shows', ...findings(summary).flatMap((sentence) => wrap(sentence).map((line, i) => `${i === 0 ? '  ' : '    '}${line}`))].join('\n');
}

/** Per-worker bars, one block per workload; bars share a scale within a workload. */
export function renderBars(cells: Cell[]): string {
  const out: string[] = [];
  for (const workload of [...new Set(cells.map((c) => c.workload))]) {
    const group = cells.filter((c) => c.workload === workload);
    const unit = workload === 'keepalive' ? 'requests' : 'connections';
    const max = Math.max(...group.flatMap((c) => c.perWorkerTotal));
    out.push(`\n${workload}: ${unit} per worker, summed over rounds`);
    for (const c of group) {
      c.perWorkerTotal.forEach((n, i) => {
        const name = i === 0 ? setUpName(c) : '';
        out.push(`  ${name.padEnd(18)} w${i + 1} ${bar(n, max).padEnd(41)} ${n.toLocaleString('en-US')}`);
      });
    }
  }
  return out.join('\n');
}
