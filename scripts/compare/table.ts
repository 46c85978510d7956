// The terminal view: one table per workload, a table of ratios, the targets
// with met/missed, the memory trend, and per-worker bar charts. Plain text,
// no colours, so it reads the same in a terminal, a log file or a PR comment.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/html.ts (the same figures as a report)

import type { Impl, Policy, Workload } from './protocol.ts';
import type { Cell, Figure, Summary } from './summary.ts';

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

export function renderSummary(summary: Summary): string {
  const out: string[] = [];
  const workloads = [...new Set(summary.cells.map((c) => c.workload))];
  for (const workload of workloads) {
    const cells = summary.cells.filter((c) => c.workload === workload);
    out.push(`\n${WORKLOAD_TITLES[workload]}, medians of ${cells[0]?.runs ?? 0} runs`);
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
  out.push('\ntargets (issue 3)');
  for (const t of summary.targets) {
    const verdict = t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED';
    const range = t.roundRange ? `; single rounds ${t.roundRange[0].toFixed(2)}–${t.roundRange[1].toFixed(2)}` : '';
    out.push(`  ${verdict.padEnd(12)} ${t.description}: ${t.value === null ? '–' : t.value.toFixed(3)} (target ${t.limit}${range})`);
  }
  out.push('\nmemory as connections are served (RSS after a full GC, at the end of the first, middle and last run)');
  for (const m of summary.memory) {
    const pts = (f: 'primaryRssMiB' | 'workerRssMiB') => m.points.map((p) => p[f].toFixed(1)).join(' → ');
    out.push(`  ${setUpName(m).padEnd(18)} primary ${pts('primaryRssMiB')} MiB, worker ${pts('workerRssMiB')} MiB,`
      + ` after ${m.points.map((p) => p.afterConnections.toLocaleString('en-US')).join(' → ')} connections: ${m.flat ? 'flat' : 'GROWING'}`);
  }
  return out.join('\n');
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
