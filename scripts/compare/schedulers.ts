// With --schedulers: every set-up of the run side by side, workload by
// workload, with mini-cluster's round robin as 1.00: its other schedulers
// (least-connections, power-of-two, source-hash), SCHED_NONE, reuseport, and
// node:cluster's round robin. Medians over the rounds, then ratios of medians.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/summary.ts (the impl × policy summary this adds to)
//
// run records => one row per set-up and workload (medians) => ÷ mini-cluster rr round robin

import { setUpLabel } from './launcher.ts';
import type { Impl, Policy, Scheduler, Workload } from './protocol.ts';
import type { RunRecord } from './runner.ts';
import { median, ratio } from './stats.ts';
import type { Figure } from './summary.ts';
import { FIGURE_LABELS, formatFigure, renderTable, WORKLOAD_TITLES } from './table.ts';

export interface SchedulerRow {
  impl: Impl;
  policy: Policy;
  scheduler: Scheduler | null;
  label: string; // "mini-cluster rr/least-connections"
  workload: Workload;
  runs: number;
  medians: Partial<Record<Figure, number | null>>;
  /** The same figures over mini-cluster rr round robin's medians. */
  overRoundRobin: Partial<Record<Figure, number | null>>;
}

export interface SchedulerSummary {
  rows: SchedulerRow[];
}

/** Per workload, the figures of the side-by-side table. */
const FIGURES: Record<Workload, Figure[]> = {
  keepalive: ['requestsPerSec', 'p50', 'p99', 'jain', 'maxOverMin'],
  churn: ['connectionsPerSec', 'p50', 'p99', 'jain', 'maxOverMin', 'wakeupsPerConnection', 'primaryCpuUsPerConnection'],
  trickle: ['jain', 'maxOverMin', 'wakeupsPerConnection', 'primaryCpuUsPerConnection', 'p50'],
  skewed: ['connectionsPerSec', 'p50', 'p99', 'jain', 'maxOverMin', 'primaryCpuUsPerConnection'],
};
/** The figures also given as a ratio to round robin. */
const RATIOS: Record<Workload, Figure[]> = {
  keepalive: ['requestsPerSec', 'p99'],
  churn: ['connectionsPerSec', 'p99'],
  trickle: ['wakeupsPerConnection'],
  skewed: ['connectionsPerSec', 'p50', 'p99'],
};

function pick(r: RunRecord, figure: Figure): number | null {
  if (figure === 'p50' || figure === 'p99') return r.latencyMs[figure];
  if (figure === 'jain' || figure === 'maxOverMin' || figure === 'busiestShare') return r.fairness[figure];
  return r[figure];
}

const isReference = (r: { impl: Impl; policy: Policy; scheduler: Scheduler | null }) =>
  r.impl === 'mini-cluster' && r.policy === 'rr' && r.scheduler === 'round-robin';

/** null unless the run had a scheduler other than round robin, or reuseport: nothing to add then. */
export function summariseSchedulers(records: RunRecord[]): SchedulerSummary | null {
  if (!records.some((r) => (r.scheduler !== null && r.scheduler !== 'round-robin') || r.policy === 'reuseport')) return null;
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    const key = `${setUpLabel(r)}|${r.workload}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows: SchedulerRow[] = [...groups.values()].map((runs) => {
    const first = runs[0]!;
    const medians = Object.fromEntries(FIGURES[first.workload].map((f) => [f, median(runs.map((r) => pick(r, f)))]));
    return { impl: first.impl, policy: first.policy, scheduler: first.scheduler, label: setUpLabel(first), workload: first.workload, runs: runs.length, medians, overRoundRobin: {} };
  });
  for (const row of rows) {
    const reference = rows.find((r) => r.workload === row.workload && isReference(r));
    row.overRoundRobin = Object.fromEntries(RATIOS[row.workload].map((f) => [f, ratio(row.medians[f] ?? null, reference?.medians[f] ?? null)]));
  }
  return { rows };
}

/** `sources`: how many local addresses the churn, skewed and trickle clients used (0: 127.0.0.1 only). */
export function renderSchedulers(summary: SchedulerSummary, sources: number): string {
  const out: string[] = ['\nschedulers and policies side by side (÷ rr: over mini-cluster rr with round robin, ratios of medians)'];
  for (const workload of [...new Set(summary.rows.map((r) => r.workload))]) {
    const rows = summary.rows.filter((r) => r.workload === workload);
    out.push(`\n${WORKLOAD_TITLES[workload]}, medians of ${rows[0]?.runs ?? 0} runs`);
    const headers = ['set-up', ...FIGURES[workload].map((f) => FIGURE_LABELS[f]), ...RATIOS[workload].map((f) => `${FIGURE_LABELS[f]} ÷ rr`)];
    const r = (v: number | null | undefined) => (v == null ? '–' : v.toFixed(2));
    out.push(renderTable(headers, rows.map((row) => [
      row.label,
      ...FIGURES[workload].map((f) => formatFigure(f, row.medians[f] ?? null)),
      ...RATIOS[workload].map((f) => r(row.overRoundRobin[f])),
    ])));
  }
  if (summary.rows.some((r) => r.scheduler === 'source-hash')) {
    out.push('\n  source-hash picks by client address: keepalive comes from 127.0.0.1 alone (one worker gets it all,');
    out.push(`  the proxy problem)${sources ? `; churn, skewed and trickle connect from ${sources} local addresses, one per lane` : ''}.`);
  }
  return out.join('\n');
}
