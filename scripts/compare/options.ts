// Command-line options of the comparison, their defaults, and what --quick
// changes. Sized so the default run fits in 90 s and --quick in 30 s on a
// 2-core machine. --schedulers adds the full matrix (about 4 to 5 minutes).
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/runner.ts

import { parseArgs } from 'node:util';
import { SCHEDULERS, type Impl, type Policy, type Scheduler, type Workload } from './protocol.ts';
import { reusePortSupported } from '../../src/master/reuseport-handle.ts';

export interface Options {
  workers: number; // workers per primary
  durationSec: number; // length of each keepalive and churn run
  connections: number; // autocannon connections (keepalive) and client lanes (churn)
  work: number; // busy-loop iterations per request in the worker
  policies: Policy[];
  workloads: Workload[];
  impls: Impl[];
  rounds: number; // each set-up runs each workload once per round (A B A B ...)
  startupRounds: number; // fresh primaries per set-up for the start-up figure (A B A B ...)
  trickle: number; // connections in one trickle run
  trickleGapMs: number;
  warmupSec: number; // unmeasured keepalive + churn per set-up before round 1
  budgetSec: number; // no round starts that would end after this (counted from the start)
  quick: boolean;
  /** mini-cluster's schedulers under rr, each a set-up of its own ('round-robin' alone by default). */
  schedulers: Scheduler[];
  /** Busy-loop iterations of a skewed request (every 20th: 50 times as many). */
  skewWork: number;
  /** Local addresses the churn, skewed and trickle clients connect from (0: all from 127.0.0.1). */
  sources: number;
  json?: string;
  html?: string;
}

export const USAGE = `Usage: npm run compare -- [options]

  --workers N        workers per primary (default 4)
  --duration S       seconds per keepalive and churn run (default 1; quick 0.75)
  --connections N    keep-alive connections, and churn lanes (default 32)
  --work N           busy-loop iterations per request (default 0)
  --policies LIST    rr,none (default both), reuseport (mini-cluster only, Node >= 22.12)
  --workloads LIST   keepalive,churn,trickle (default all three), skewed
  --impls LIST       mini,node (default both)
  --rounds N         alternating rounds, medians are taken over them (default 5; quick 2)
  --trickle N        connections per trickle run, 2 ms apart (default 400; quick 150)
  --budget S         stop starting rounds that would end after S seconds (default 88; quick 28)
  --quick            a short run (about 25 s) for a first look or CI
  --schedulers [LIST]  the full matrix (about 5 minutes): mini-cluster under rr with each
                     scheduler (default all: round-robin,least-connections,power-of-two,source-hash),
                     policy reuseport too where Node has it (>= 22.12), the skewed workload,
                     and the clients spread over 32 local addresses (default budget 330 s)
  --skew-work N      busy-loop iterations of a skewed request; every 20th does 50 x N (default 20000)
  --json FILE        write every figure as JSON
  --html FILE        write a self-contained HTML report
  --help             show this text`;

const IMPLS: Record<string, Impl> = { mini: 'mini-cluster', 'mini-cluster': 'mini-cluster', node: 'node:cluster', 'node:cluster': 'node:cluster' };

function list<T extends string>(value: string, allowed: readonly T[], name: string): T[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`--${name}: unknown value '${item}' (choose from ${allowed.join(', ')})`);
  if (items.length === 0) throw new Error(`--${name} needs at least one value`);
  return [...new Set(items)] as T[];
}

function positive(value: string | undefined, fallback: number, name: string, integer = true): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got '${value}'`);
  return n;
}

/** Parses argv (without node and script) into options; throws with a readable message on bad input. */
export function parseOptions(argv: string[]): Options | 'help' {
  // `--schedulers` alone (last, or before another option) means all of them.
  const args = argv.map((arg, i) => (arg === '--schedulers' && (i === argv.length - 1 || argv[i + 1]!.startsWith('--')) ? '--schedulers=all' : arg));
  const { values } = parseArgs({
    args,
    options: {
      workers: { type: 'string' }, duration: { type: 'string' }, connections: { type: 'string' }, work: { type: 'string' },
      policies: { type: 'string' }, workloads: { type: 'string' }, impls: { type: 'string' }, rounds: { type: 'string' },
      trickle: { type: 'string' }, budget: { type: 'string' }, quick: { type: 'boolean' }, json: { type: 'string' }, html: { type: 'string' }, help: { type: 'boolean' },
      schedulers: { type: 'string' }, 'skew-work': { type: 'string' },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick ?? false;
  const impls = list(values.impls ?? 'mini,node', Object.keys(IMPLS), 'impls').map((name) => IMPLS[name]!);
  const matrix = values.schedulers !== undefined;
  // round-robin is always there: every other scheduler is read against it.
  const schedulers = matrix ? ['round-robin' as const, ...list(values.schedulers === 'all' ? SCHEDULERS.join(',') : values.schedulers!, SCHEDULERS, 'schedulers')] : ['round-robin' as const];
  const policies = values.policies ?? (matrix ? (reusePortSupported() ? 'rr,none,reuseport' : 'rr,none') : 'rr,none');
  return {
    workers: positive(values.workers, 4, 'workers'),
    durationSec: positive(values.duration, quick ? 0.75 : 1, 'duration', false),
    connections: positive(values.connections, 32, 'connections'),
    work: values.work === undefined || values.work === '0' ? 0 : positive(values.work, 0, 'work'),
    policies: list(policies, ['rr', 'none', 'reuseport'] as const, 'policies'),
    workloads: list(values.workloads ?? (matrix ? 'keepalive,churn,trickle,skewed' : 'keepalive,churn,trickle'), ['keepalive', 'churn', 'trickle', 'skewed'] as const, 'workloads'),
    impls: [...new Set(impls)],
    rounds: positive(values.rounds, quick ? 2 : 5, 'rounds'),
    startupRounds: quick ? 2 : 6,
    trickle: positive(values.trickle, quick ? 150 : 400, 'trickle'),
    trickleGapMs: 2,
    warmupSec: quick ? 0.25 : 0.5,
    budgetSec: positive(values.budget, matrix ? (quick ? 120 : 330) : quick ? 28 : 88, 'budget', false),
    quick,
    schedulers: [...new Set(schedulers)],
    skewWork: positive(values['skew-work'], 20_000, 'skew-work'),
    sources: matrix ? 32 : 0,
    json: values.json,
    html: values.html,
  };
}
