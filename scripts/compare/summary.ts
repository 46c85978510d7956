// Turns the run records into what people read: medians per set-up and
// workload, ratios (mini-cluster ÷ node:cluster, rr ÷ none), mini-cluster's
// performance targets against node:cluster, and whether memory grows with connections served.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/table.ts (the terminal view) and scripts/compare/html.ts (the report)

import type { Impl, Policy, Workload } from './protocol.ts';
import type { RunRecord } from './runner.ts';
import { median, ratio } from './stats.ts';

/** The figures that get a median and can be compared. */
export const FIGURES = [
  'requestsPerSec', 'connectionsPerSec', 'p50', 'p99', 'jain', 'maxOverMin', 'busiestShare',
  'wakeupsPerConnection', 'primaryCpuUsPerConnection', 'primaryRssMiB', 'workerRssMiB',
] as const;
export type Figure = (typeof FIGURES)[number];

export interface Cell {
  impl: Impl;
  policy: Policy;
  workload: Workload;
  runs: number;
  medians: Record<Figure, number | null>;
  perWorkerTotal: number[]; // requests (keepalive) or connections, summed over rounds, by worker index
}

export interface RatioRow {
  workload: Workload;
  figure: Figure;
  miniOverNode: Partial<Record<Policy, number | null>>;
  rrOverNone: Partial<Record<Impl, number | null>>;
}

/**
 * A goal mini-cluster sets itself against node:cluster (the project's own, not
 * Node's, and not about round robin against SCHED_NONE): as fast, and no more
 * primary CPU or memory, within a margin.
 */
export interface Target {
  description: string;
  /** The goal in a plain sentence. */
  meaning: string;
  value: number | null;
  limit: string;
  met: boolean | null; // null: not measured in this run
  /** Some single round met the goal although the median did not (or the reverse): a verdict one run cannot settle. */
  roundsDisagree?: boolean;
  // For mini ÷ node ratios: the lowest and highest ratio between the two
  // adjacent runs of one round, to show how much one round can be trusted.
  roundRange?: [number, number];
}

export interface MemoryTrend {
  impl: Impl;
  policy: Policy;
  // Primary and largest worker RSS after a full GC at the end of the first, middle
  // and last run, with the connections this set-up had served by then.
  points: { afterConnections: number; primaryRssMiB: number; workerRssMiB: number }[];
  primaryGrowthMiB: number;
  workerGrowthMiB: number;
  flat: boolean; // grew by less than 5 MiB and 10%
}

export interface Summary {
  cells: Cell[];
  ratios: RatioRow[];
  targets: Target[];
  memory: MemoryTrend[];
}

function pick(r: RunRecord, figure: Figure): number | null {
  if (figure === 'p50' || figure === 'p99') return r.latencyMs[figure];
  if (figure === 'jain' || figure === 'maxOverMin' || figure === 'busiestShare') return r.fairness[figure];
  return r[figure];
}

export function summarise(all: RunRecord[]): Summary {
  // mini-cluster's other schedulers (--schedulers) are summarised apart, in
  // scripts/compare/schedulers.ts: here every set-up is impl × policy.
  const records = all.filter((r) => r.scheduler === null || r.scheduler === 'round-robin' || r.scheduler === undefined);
  const cells = cellsOf(records);
  const find = (impl: Impl, policy: Policy, workload: Workload) =>
    cells.find((c) => c.impl === impl && c.policy === policy && c.workload === workload);
  const m = (impl: Impl, policy: Policy, workload: Workload, figure: Figure) => find(impl, policy, workload)?.medians[figure] ?? null;

  const ratioFigures: Record<Workload, Figure[]> = {
    keepalive: ['requestsPerSec', 'p99', 'primaryRssMiB', 'workerRssMiB'],
    churn: ['connectionsPerSec', 'p99', 'wakeupsPerConnection', 'primaryCpuUsPerConnection', 'primaryRssMiB'],
    trickle: ['jain', 'maxOverMin', 'wakeupsPerConnection', 'primaryCpuUsPerConnection'],
    skewed: ['connectionsPerSec', 'p50', 'p99'],
  };
  const workloads = [...new Set(cells.map((c) => c.workload))];
  const ratios: RatioRow[] = workloads.flatMap((workload) =>
    ratioFigures[workload].map((figure) => ({
      workload, figure,
      miniOverNode: { rr: ratio(m('mini-cluster', 'rr', workload, figure), m('node:cluster', 'rr', workload, figure)), none: ratio(m('mini-cluster', 'none', workload, figure), m('node:cluster', 'none', workload, figure)) },
      rrOverNone: { 'mini-cluster': ratio(m('mini-cluster', 'rr', workload, figure), m('mini-cluster', 'none', workload, figure)), 'node:cluster': ratio(m('node:cluster', 'rr', workload, figure), m('node:cluster', 'none', workload, figure)) },
    })),
  );
  return { cells, ratios, targets: targetsOf(m, records), memory: memoryOf(records) };
}

function cellsOf(records: RunRecord[]): Cell[] {
  const cells = new Map<string, RunRecord[]>();
  for (const r of records) {
    const key = `${r.impl}|${r.policy}|${r.workload}`;
    cells.set(key, [...(cells.get(key) ?? []), r]);
  }
  return [...cells.values()].map((runs) => {
    const first = runs[0]!;
    const medians = Object.fromEntries(FIGURES.map((f) => [f, median(runs.map((r) => pick(r, f)))])) as Record<Figure, number | null>;
    const perWorkerTotal = first.perWorker.map((_, i) =>
      runs.reduce((sum, r) => sum + (first.fairness.of === 'requests' ? r.perWorker[i]?.requests ?? 0 : r.perWorker[i]?.connections ?? 0), 0),
    );
    return { impl: first.impl, policy: first.policy, workload: first.workload, runs: runs.length, medians, perWorkerTotal };
  });
}

type MedianOf = (impl: Impl, policy: Policy, workload: Workload, figure: Figure) => number | null;

/** mini ÷ node within each round (the two runs were adjacent in time): [lowest, highest]. */
function roundRange(records: RunRecord[], policy: Policy, workload: Workload, figure: Figure): [number, number] | undefined {
  const find = (impl: Impl, round: number) => records.find((r) => r.impl === impl && r.policy === policy && r.workload === workload && r.round === round);
  const ratios = [...new Set(records.map((r) => r.round))]
    .map((round) => ratio(pickOf(find('mini-cluster', round), figure), pickOf(find('node:cluster', round), figure)))
    .filter((v): v is number => v !== null);
  return ratios.length ? [Math.min(...ratios), Math.max(...ratios)] : undefined;
}

const pickOf = (r: RunRecord | undefined, figure: Figure) => (r ? pick(r, figure) : null);

function targetsOf(m: MedianOf, records: RunRecord[]): Target[] {
  const targets: Target[] = [];
  const tests: ((v: number) => boolean)[] = [];
  const withRange = (policy: Policy, workload: Workload, figure: Figure) => {
    const range = roundRange(records, policy, workload, figure);
    const target = targets[targets.length - 1]!;
    const test = tests[tests.length - 1]!;
    if (range) {
      target.roundRange = range;
      if (target.met !== null) target.roundsDisagree = range.some((r) => test(r) !== target.met);
    }
  };
  const atLeast = (description: string, meaning: string, value: number | null, limit: number) => {
    tests.push((v) => v >= limit);
    targets.push({ description, meaning, value, limit: `≥ ${limit}`, met: value === null ? null : value >= limit });
  };
  const atMost = (description: string, meaning: string, value: number | null, limit: number, unit = '') => {
    tests.push((v) => v <= limit);
    targets.push({ description, meaning, value, limit: `≤ ${limit}${unit}`, met: value === null ? null : value <= limit });
  };
  const name = (policy: Policy) => (policy === 'rr' ? 'round robin' : 'SCHED_NONE');
  for (const policy of ['rr', 'none'] as const) {
    atLeast(`keepalive requests/s, mini ÷ node, ${policy}`, `mini-cluster serves at least 95 % of node:cluster's keep-alive requests per second under ${name(policy)}`,
      ratio(m('mini-cluster', policy, 'keepalive', 'requestsPerSec'), m('node:cluster', policy, 'keepalive', 'requestsPerSec')), 0.95);
    withRange(policy, 'keepalive', 'requestsPerSec');
    atLeast(`churn connections/s, mini ÷ node, ${policy}`, `mini-cluster serves at least 95 % of node:cluster's new connections per second under ${name(policy)}`,
      ratio(m('mini-cluster', policy, 'churn', 'connectionsPerSec'), m('node:cluster', policy, 'churn', 'connectionsPerSec')), 0.95);
    withRange(policy, 'churn', 'connectionsPerSec');
  }
  atMost('primary CPU µs per connection (churn, rr), mini ÷ node', "mini-cluster's primary spends at most 5 % more CPU per handed-over connection than node:cluster's",
    ratio(m('mini-cluster', 'rr', 'churn', 'primaryCpuUsPerConnection'), m('node:cluster', 'rr', 'churn', 'primaryCpuUsPerConnection')), 1.05);
  withRange('rr', 'churn', 'primaryCpuUsPerConnection');
  // Memory: medians per workload, then the larger of the workloads named.
  const rss = (impl: Impl, policy: Policy, workloads: Workload[], figure: 'primaryRssMiB' | 'workerRssMiB') => {
    const values = workloads.map((w) => m(impl, policy, w, figure)).filter((v): v is number => v !== null);
    return values.length ? Math.max(...values) : null;
  };
  for (const policy of ['rr', 'none'] as const) {
    const measured: Workload[] = ['keepalive', 'churn'];
    atMost(`primary peak RSS (keepalive, churn), mini ÷ node, ${policy}`, `mini-cluster's primary uses at most 10 % more memory than node:cluster's under ${name(policy)}`,
      ratio(rss('mini-cluster', policy, measured, 'primaryRssMiB'), rss('node:cluster', policy, measured, 'primaryRssMiB')), 1.1);
    const mini = rss('mini-cluster', policy, [...measured, 'trickle'], 'workerRssMiB');
    const node = rss('node:cluster', policy, [...measured, 'trickle'], 'workerRssMiB');
    atMost(`worker RSS, mini − node, ${policy}`, `a mini-cluster worker uses at most 5 MiB more memory than a node:cluster worker under ${name(policy)}`,
      mini === null || node === null ? null : Math.round((mini - node) * 10) / 10, 5, ' MiB');
  }
  return targets;
}

function memoryOf(records: RunRecord[]): MemoryTrend[] {
  const bySetUp = new Map<string, RunRecord[]>();
  for (const r of records) bySetUp.set(`${r.impl}|${r.policy}`, [...(bySetUp.get(`${r.impl}|${r.policy}`) ?? []), r]);
  return [...bySetUp.values()].map((runs) => {
    const chosen = [runs[0]!, runs[Math.floor((runs.length - 1) / 2)]!, runs.at(-1)!];
    const points = chosen.map((r) => ({ afterConnections: r.connectionsServedBefore + r.served.connections, primaryRssMiB: r.primaryRssAfterGcMiB, workerRssMiB: r.workerRssAfterGcMiB }));
    const primaryGrowthMiB = Math.round((points[2]!.primaryRssMiB - points[0]!.primaryRssMiB) * 10) / 10;
    const workerGrowthMiB = Math.round((points[2]!.workerRssMiB - points[0]!.workerRssMiB) * 10) / 10;
    const grewLittle = (growth: number, base: number) => growth < 5 && growth < base * 0.1;
    const flat = grewLittle(primaryGrowthMiB, points[0]!.primaryRssMiB) && grewLittle(workerGrowthMiB, points[0]!.workerRssMiB);
    return { impl: runs[0]!.impl, policy: runs[0]!.policy, points, primaryGrowthMiB, workerGrowthMiB, flat };
  });
}

/**
 * What this run shows, in a few plain sentences built from its own figures
 * (so they can never contradict the tables): fairness and the herd when
 * connections come one at a time, the cost of round robin's hop under
 * churn, and how mini-cluster did against its targets.
 */
export function findings(summary: Summary): string[] {
  const out: string[] = [];
  const impl: Impl = summary.cells.some((c) => c.impl === 'mini-cluster') ? 'mini-cluster' : 'node:cluster';
  const m = (policy: Policy, workload: Workload, figure: Figure): number | null =>
    summary.cells.find((c) => c.impl === impl && c.policy === policy && c.workload === workload)?.medians[figure] ?? null;
  const f = (v: number, digits: number): string => (v === Infinity ? '∞' : v.toFixed(digits));

  const [jainRr, jainNone] = [m('rr', 'trickle', 'jain'), m('none', 'trickle', 'jain')];
  if (jainRr !== null && jainNone !== null) {
    out.push(`One connection at a time (trickle), ${impl}'s workers split the connections with Jain's index ${f(jainRr, 3)} under round robin `
      + `and ${f(jainNone, 3)} under SCHED_NONE (1 is perfectly even): ${jainRr > jainNone ? 'round robin was the fairer' : 'SCHED_NONE was as fair or fairer this time'}.`);
  }
  const [wakeRr, wakeNone] = [m('rr', 'trickle', 'wakeupsPerConnection'), m('none', 'trickle', 'wakeupsPerConnection')];
  if (wakeRr !== null && wakeNone !== null) {
    out.push(`Each of those connections cost ${f(wakeNone, 1)} wakeups among the workers under SCHED_NONE and ${f(wakeRr, 1)} under round robin`
      + `${wakeNone > 1.5 * wakeRr ? ': the thundering herd, every idle worker woken for a connection only one can take' : ''}.`);
  }
  const [connRr, connNone] = [m('rr', 'churn', 'connectionsPerSec'), m('none', 'churn', 'connectionsPerSec')];
  const [usRr, usNone] = [m('rr', 'churn', 'primaryCpuUsPerConnection'), m('none', 'churn', 'primaryCpuUsPerConnection')];
  if (connRr !== null && connNone !== null && connNone > 0) {
    const cost = usRr !== null && usNone !== null
      ? `, and its primary spent ${Math.round(usRr)} µs of CPU per connection against ${Math.round(usNone)} under SCHED_NONE${usRr > usNone ? ' (the hop: accept, hand over, wait for the answer)' : ''}`
      : '';
    out.push(`With a new connection per request (churn), round robin served ${(connRr / connNone).toFixed(2)} times SCHED_NONE's connections per second${cost}.`);
  }
  const measured = summary.targets.filter((t) => t.met !== null);
  if (measured.length > 0) {
    const missed = measured.filter((t) => t.met === false);
    const unsure = missed.filter((t) => t.roundsDisagree);
    out.push(`mini-cluster met ${measured.length - missed.length} of its ${measured.length} targets against node:cluster`
      + (missed.length === 0 ? '.'
        : unsure.length === 0 ? `; ${missed.length === 1 ? 'the miss held' : 'the misses held'} in every single round.`
          : `; of the ${missed.length} missed, ${unsure.length} ${unsure.length === 1 ? 'was' : 'were'} met in some single round, so this run does not settle ${unsure.length === 1 ? 'it' : 'them'}.`));
  }
  out.push('Lesson 13 reads each figure one by one: npm run lesson 13, and lessons/13-rr-vs-none/README.md.');
  return out;
}
