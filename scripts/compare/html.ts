// The self-contained HTML report: inline CSS and SVG only, no script and no
// network, so the file can be mailed, attached to a PR or opened offline.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/svg.ts (the charts), test/compare/html-render.test.ts
//
// Summary => what the columns mean, throughput and wakeups side by side, per-worker bars,
// tables, ratios, mini-cluster's targets, memory, and what the run shows.

import type { Impl, Policy, Workload } from './protocol.ts';
import { findings, type Cell, type Figure, type Summary } from './summary.ts';
import { barChart, escapeHtml, type BarGroup } from './svg.ts';
import { COLUMNS, FIGURE_LABELS, formatFigure, LEGEND, rangeOf, TARGETS_NOTE, TARGETS_TITLE, verdictOf, WORKLOAD_TITLES } from './table.ts';

/** Bar colours, one per implementation; the render test looks for these pixels. */
export const COLORS: Record<Impl, string> = { 'mini-cluster': '#1f77b4', 'node:cluster': '#ff7f0e' };

export interface ReportMeta {
  title: string;
  lines: string[]; // what ran, where, with which options
  notes: string[]; // caveats worth reading before the numbers
}

const IMPLS: Impl[] = ['mini-cluster', 'node:cluster'];
const POLICIES: Policy[] = ['rr', 'none'];

function cellOf(summary: Summary, impl: Impl, policy: Policy, workload: Workload): Cell | undefined {
  return summary.cells.find((c) => c.impl === impl && c.policy === policy && c.workload === workload);
}

/** mini and node side by side, one group per policy. */
function sideBySide(summary: Summary, workload: Workload, figure: Figure, title: string): string {
  const groups: BarGroup[] = POLICIES.map((policy) => ({
    label: policy === 'rr' ? 'round robin' : 'SCHED_NONE',
    bars: IMPLS.map((impl) => ({ label: impl === 'mini-cluster' ? 'mini' : 'node', value: cellOf(summary, impl, policy, workload)?.medians[figure] ?? null, color: COLORS[impl] })),
  })).filter((g) => g.bars.some((b) => b.value !== null));
  return groups.length ? barChart({ title, groups, format: (v) => formatFigure(figure, v) }) : '';
}

/** One small chart per set-up: each worker's requests (keepalive) or connections, summed over rounds. */
function perWorkerCharts(summary: Summary, workload: Workload): string {
  return summary.cells
    .filter((c) => c.workload === workload)
    .map((c) => barChart({
      title: `${c.impl} ${c.policy}`,
      groups: [{ label: `Jain ${formatFigure('jain', c.medians.jain)}, max/min ${formatFigure('maxOverMin', c.medians.maxOverMin)}`, bars: c.perWorkerTotal.map((n, i) => ({ label: `w${i + 1}`, value: n, color: COLORS[c.impl] })) }],
      format: (v) => Math.round(v).toLocaleString('en-US'),
      width: 280,
      height: 200,
    }))
    .join('\n');
}

function figureTable(summary: Summary, workload: Workload): string {
  const cells = summary.cells.filter((c) => c.workload === workload);
  const head = ['set-up', ...COLUMNS[workload].map((f) => FIGURE_LABELS[f])].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = cells.map((c) =>
    `<tr><td><span class="swatch" style="background:${COLORS[c.impl]}"></span>${escapeHtml(`${c.impl} ${c.policy}`)}</td>${COLUMNS[workload].map((f) => `<td>${escapeHtml(formatFigure(f, c.medians[f]))}</td>`).join('')}</tr>`);
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function ratioTable(summary: Summary): string {
  const r = (v: number | null | undefined) => (v == null ? '–' : v.toFixed(2));
  const rows = summary.ratios.map((row) =>
    `<tr><td>${row.workload}</td><td>${escapeHtml(FIGURE_LABELS[row.figure])}</td><td>${r(row.miniOverNode.rr)}</td><td>${r(row.miniOverNode.none)}</td><td>${r(row.rrOverNone['mini-cluster'])}</td><td>${r(row.rrOverNone['node:cluster'])}</td></tr>`);
  return `<table><thead><tr><th>workload</th><th>figure</th><th>mini÷node rr</th><th>mini÷node none</th><th>rr÷none mini</th><th>rr÷none node</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function targetList(summary: Summary): string {
  const items = summary.targets.map((t) => {
    const cls = t.met === null ? 'na' : t.roundsDisagree ? 'unsettled' : t.met ? 'met' : 'missed';
    return `<li class="${cls}"><b>${escapeHtml(verdictOf(t))}</b> ${escapeHtml(t.description)}: ${t.value === null ? '–' : t.value.toFixed(3)} (target ${escapeHtml(t.limit)}${escapeHtml(rangeOf(t))})<br><small>${escapeHtml(t.meaning)}</small></li>`;
  });
  return `<p>${TARGETS_NOTE.map(escapeHtml).join(' ')}</p><ul class="targets">${items.join('')}</ul>`;
}

function legend(): string {
  return `<dl class="legend">${LEGEND.map(([label, meaning]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(meaning)}</dd>`).join('')}</dl>`;
}

function memoryList(summary: Summary): string {
  const items = summary.memory.map((m) => {
    const pts = (f: 'primaryRssMiB' | 'workerRssMiB') => m.points.map((p) => p[f].toFixed(1)).join(' → ');
    const served = m.points.map((p) => p.afterConnections.toLocaleString('en-US')).join(' → ');
    return `<li><b>${escapeHtml(`${m.impl} ${m.policy}`)}</b>: primary ${pts('primaryRssMiB')} MiB, worker ${pts('workerRssMiB')} MiB after ${served} connections: <b>${m.flat ? 'flat' : 'growing'}</b></li>`;
  });
  return `<ul>${items.join('')}</ul>`;
}

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; background: #fff; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.chart { background: #fafafa; border: 1px solid #e4e4e4; }
.chart .title { font-size: 13px; font-weight: 600; } .chart text { font-size: 11px; fill: #333; }
.chart .axis { stroke: #999; } .chart .group { font-size: 12px; }
table { border-collapse: collapse; margin: .5em 0 1.5em; } th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #eee; }
th:first-child, td:first-child { text-align: left; }
.swatch { display: inline-block; width: .8em; height: .8em; margin-right: .4em; }
.targets .met b { color: #1a7f37; } .targets .missed b { color: #c62828; } .targets .unsettled b { color: #a15c00; } .targets .na b { color: #777; }
.legend { display: grid; grid-template-columns: max-content 1fr; gap: 2px 1em; } .legend dt { font-weight: 600; } .legend dd { margin: 0; }
.notes { background: #fff8e1; padding: .5em 1em; border-left: 4px solid #f0c000; }`;

export function renderHtml(summary: Summary, meta: ReportMeta): string {
  const workloads = [...new Set(summary.cells.map((c) => c.workload))];
  const has = (w: Workload) => workloads.includes(w);
  const headline = [
    has('keepalive') ? sideBySide(summary, 'keepalive', 'requestsPerSec', 'keepalive: requests/s (median)') : '',
    has('churn') ? sideBySide(summary, 'churn', 'connectionsPerSec', 'churn: connections/s (median)') : '',
    has('churn') ? sideBySide(summary, 'churn', 'wakeupsPerConnection', 'churn: wakeups per connection') : '',
    has('trickle') ? sideBySide(summary, 'trickle', 'wakeupsPerConnection', 'trickle: wakeups per connection') : '',
    has('churn') ? sideBySide(summary, 'churn', 'primaryCpuUsPerConnection', 'churn: primary CPU µs per connection') : '',
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(meta.title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(meta.title)}</h1>
<p>${meta.lines.map(escapeHtml).join('<br>')}</p>
${meta.notes.length ? `<div class="notes">${meta.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('')}</div>` : ''}
<p><span class="swatch" style="background:${COLORS['mini-cluster']}"></span>mini-cluster &nbsp; <span class="swatch" style="background:${COLORS['node:cluster']}"></span>node:cluster</p>
<h2>What the columns mean</h2>${legend()}
<h2>Throughput, wakeups and primary cost, side by side</h2><div class="charts">${headline}</div>
${workloads.map((w) => `<h2>${escapeHtml(WORKLOAD_TITLES[w])}</h2><p>Bars: each worker's ${w === 'keepalive' ? 'requests' : 'connections'}, counted by the workers themselves, summed over the rounds. Table: medians.</p><div class="charts">${perWorkerCharts(summary, w)}</div>${figureTable(summary, w)}`).join('\n')}
<h2>Ratios of medians</h2>${ratioTable(summary)}
<h2>${escapeHtml(TARGETS_TITLE[0]!.toUpperCase() + TARGETS_TITLE.slice(1))}</h2>${targetList(summary)}
<h2>Memory as connections are served</h2>${memoryList(summary)}
<h2>What this run shows</h2>${findings(summary).map((sentence) => `<p>${escapeHtml(sentence)}</p>`).join('')}
</body></html>
`;
}
