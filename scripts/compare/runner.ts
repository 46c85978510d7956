// Runs the comparison: starts one primary per set-up, then for each round
// and workload runs every set-up in turn (A B A B ...), so that drift on a
// shared machine falls on all of them alike. Each run becomes one RunRecord.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/summary.ts (medians and ratios over the records)
//
// one run:  begin (primary snapshots counters) => load => end (primary reports deltas) => RunRecord

import { keepalive } from './keepalive.ts';
import { churn, loopbackSources, trickle, type ClientResult, type RequestOptions } from './churn-client.ts';
import { PrimaryProcess } from './launcher.ts';
import type { Options } from './options.ts';
import type { Impl, Policy, PrimaryFigures, Scheduler, WorkerFigures, Workload } from './protocol.ts';
import { reusePortSupported } from '../../src/master/reuseport-handle.ts';
import { cpuUsPerConnection, fairness, percentile, wakeupsPerConnection, type Fairness } from './stats.ts';

export interface RunRecord {
  impl: Impl;
  policy: Policy;
  /** Who chose the worker under rr ('round-robin' unless --schedulers); null under none and reuseport (the kernel). */
  scheduler: Scheduler | null;
  workload: Workload;
  round: number;
  requestsPerSec: number;
  connectionsPerSec: number;
  latencyMs: { p50: number | null; p99: number | null };
  perWorker: WorkerFigures[];
  fairness: Fairness & { of: 'requests' | 'connections' };
  wakeupsPerConnection: number | null;
  primaryCpuUsPerConnection: number | null;
  primaryRssMiB: number; // peak during the run
  primaryRssSamplesMiB: PrimaryFigures['primaryRssMiB'];
  workerRssMiB: number; // the largest worker's RSS at the end of the run
  primaryRssAfterGcMiB: number; // retained memory: RSS after a full GC at the end of the run
  workerRssAfterGcMiB: number; // the same for the largest worker
  served: { connections: number; requests: number }; // as the workers counted them
  connectionsServedBefore: number; // by this set-up's workers, before this run
  client: { count: number; unit: 'requests' | 'connections'; failed: number; agreesWithWorkers: boolean };
  elapsedMs: number;
}

/** A started set-up plus what the report needs to know about it. */
export interface SetUp {
  impl: Impl;
  policy: Policy;
  scheduler: Scheduler | null;
  primary: PrimaryProcess;
  connectionsServed: number;
}

/** Whether impl × policy can run here: reuseport is mini-cluster's, and needs Node >= 22.12. */
export function runnable(impl: Impl, policy: Policy): boolean {
  return policy !== 'reuseport' || (impl === 'mini-cluster' && reusePortSupported());
}

/**
 * impl × policy (round robin under rr), then mini-cluster under rr with each
 * other scheduler of --schedulers. node:cluster has no scheduler: its rr
 * stays the reference.
 */
export function setUpsOf(options: Options): { impl: Impl; policy: Policy; scheduler: Scheduler | null }[] {
  const base = options.policies.flatMap((policy) => options.impls.filter((impl) => runnable(impl, policy))
    .map((impl) => ({ impl, policy, scheduler: policy === 'rr' ? ('round-robin' as const) : null })));
  const scheduled = options.impls.includes('mini-cluster') && options.policies.includes('rr')
    ? options.schedulers.filter((s) => s !== 'round-robin').map((scheduler) => ({ impl: 'mini-cluster' as const, policy: 'rr' as const, scheduler }))
    : [];
  return [...base, ...scheduled];
}

export async function startSetUps(options: Options, log: (line: string) => void): Promise<SetUp[]> {
  const wanted = setUpsOf(options);
  if (options.policies.includes('reuseport') && !reusePortSupported()) log(`  reuseport skipped: Node ${process.version} has no listen({ reusePort }) (22.12 and later)`);
  // Started together: on 2 cores this is no slower than one after another.
  const primaries = await Promise.all(wanted.map((w) => PrimaryProcess.start({ ...w, workers: options.workers, work: options.work })));
  const width = Math.max(18, ...primaries.map((p) => p.label.length));
  for (const p of primaries) log(`  ${p.label.padEnd(width)} primary ${p.primaryPid}, workers ${p.workerPids.join(' ')}, port ${p.port}`);
  return primaries.map((primary, i) => ({ ...wanted[i]!, primary, connectionsServed: 0 }));
}

/** Unmeasured load so that each set-up's JIT and sockets are warm before round 1. */
export async function warmUp(setUps: SetUp[], options: Options): Promise<void> {
  for (const s of setUps) {
    await keepalive(s.primary.port, options.connections, options.warmupSec, `${s.primary.label} (warm-up)`);
    await churn(s.primary.port, options.connections, options.warmupSec * 1000, undefined, requestOptions(options));
  }
}

/**
 * Every round runs every workload on every set-up, in the same order, so
 * set-ups alternate A B A B. A round that would end after `deadline` (by the
 * length of the last one) is not started: the run stays within its budget on
 * a busy machine, with fewer rounds, and says so.
 */
export async function runAll(setUps: SetUp[], options: Options, deadline: number, log: (line: string) => void): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  const width = Math.max(18, ...setUps.map((s) => s.primary.label.length));
  for (let round = 1; round <= options.rounds; round++) {
    const roundStartedAt = performance.now();
    for (const workload of options.workloads) {
      for (const setUp of setUps) {
        const record = await runOne(setUp, workload, round, options);
        records.push(record);
        log(`  round ${round} ${workload.padEnd(9)} ${setUp.primary.label.padEnd(width)} ${headline(record)}`);
      }
    }
    const roundMs = performance.now() - roundStartedAt;
    if (round < options.rounds && performance.now() + roundMs > deadline) {
      log(`  stopping after round ${round} of ${options.rounds}: another would pass the ${options.budgetSec} s budget`);
      break;
    }
  }
  return records;
}

function headline(r: RunRecord): string {
  const rate = r.workload === 'keepalive' ? `${Math.round(r.requestsPerSec)} req/s` : `${Math.round(r.connectionsPerSec)} conn/s`;
  const check = r.client.agreesWithWorkers ? '' : `  (client counted ${r.client.count} ${r.client.unit}, workers ${r.served[r.client.unit]})`;
  return `${rate}, split ${r.perWorker.map((w) => (r.fairness.of === 'requests' ? w.requests : w.connections)).join('/')}${check}`;
}

async function runOne(setUp: SetUp, workload: Workload, round: number, options: Options): Promise<RunRecord> {
  const { port } = setUp.primary;
  await setUp.primary.begin();
  let client: ClientResult;
  let latencyMs: RunRecord['latencyMs'];
  let clientRequestsPerSec: number | undefined;
  if (workload === 'keepalive') {
    const k = await keepalive(port, options.connections, options.durationSec, setUp.primary.label);
    client = { completed: k.requests, failed: k.errors, elapsedMs: k.elapsedMs, latenciesMs: [] };
    latencyMs = k.latencyMs;
    clientRequestsPerSec = k.requestsPerSec;
  } else {
    const request = requestOptions(options, workload);
    client = workload === 'trickle'
      ? await trickle(port, options.trickle, options.trickleGapMs, request)
      : await churn(port, options.connections, options.durationSec * 1000, undefined, request);
    latencyMs = { p50: percentile(client.latenciesMs, 50), p99: percentile(client.latenciesMs, 99) };
  }
  const figures = await setUp.primary.end();
  return toRecord(setUp, workload, round, figures, client, latencyMs, clientRequestsPerSec, options);
}

/** The skewed workload's path, and the local addresses the clients spread over (--schedulers). */
function requestOptions(options: Options, workload?: Workload): RequestOptions {
  return {
    path: workload === 'skewed' ? `/skew/${options.skewWork}` : undefined,
    localAddresses: options.sources > 0 ? loopbackSources(options.sources) : undefined,
  };
}

function toRecord(
  setUp: SetUp, workload: Workload, round: number, figures: PrimaryFigures, client: ClientResult,
  latencyMs: RunRecord['latencyMs'], clientRequestsPerSec: number | undefined, options: Options,
): RunRecord {
  const connections = figures.workers.reduce((a, w) => a + w.connections, 0);
  const requests = figures.workers.reduce((a, w) => a + w.requests, 0);
  const seconds = client.elapsedMs / 1000;
  const unit = workload === 'keepalive' ? 'requests' : 'connections';
  const servedByWorkers = unit === 'requests' ? requests : connections;
  // autocannon drops the requests still in flight when it stops: at most one per connection.
  const slack = unit === 'requests' ? options.connections : 0;
  const agrees = servedByWorkers >= client.completed && servedByWorkers - client.completed <= slack + client.failed;
  const connectionsServedBefore = setUp.connectionsServed;
  setUp.connectionsServed += connections;
  return {
    impl: setUp.impl, policy: setUp.policy, scheduler: setUp.scheduler, workload, round,
    requestsPerSec: clientRequestsPerSec ?? requests / seconds,
    connectionsPerSec: connections / seconds,
    latencyMs,
    perWorker: figures.workers,
    fairness: { of: unit, ...fairness(figures.workers.map((w) => (unit === 'requests' ? w.requests : w.connections))) },
    wakeupsPerConnection: wakeupsPerConnection(figures.workers.map((w) => w.voluntaryCtxtSwitches), connections),
    primaryCpuUsPerConnection: cpuUsPerConnection(figures.primaryCpuUs, connections),
    primaryRssMiB: figures.primaryRssMiB.peak,
    primaryRssSamplesMiB: figures.primaryRssMiB,
    workerRssMiB: Math.max(...figures.workers.map((w) => w.rssMiB)),
    primaryRssAfterGcMiB: figures.primaryRssAfterGcMiB,
    workerRssAfterGcMiB: Math.max(...figures.workers.map((w) => w.rssAfterGcMiB)),
    served: { connections, requests },
    connectionsServedBefore,
    client: { count: client.completed, unit, failed: client.failed, agreesWithWorkers: agrees },
    elapsedMs: client.elapsedMs,
  };
}
