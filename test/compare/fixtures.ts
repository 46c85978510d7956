// Hand-made run records for the specs of the summary, the table and the
// HTML report, so those specs need no processes and no load.
// Mirrors: nothing — teaching helper
// Read next: test/compare/summary.test.ts

import type { Impl, Policy, Scheduler, Workload } from '../../scripts/compare/protocol.ts';
import type { RunRecord } from '../../scripts/compare/runner.ts';
import { fairness } from '../../scripts/compare/stats.ts';

export interface RecordSpec {
  impl: Impl;
  policy: Policy;
  scheduler?: Scheduler | null; // default: round-robin under rr, null otherwise
  workload: Workload;
  round?: number;
  perWorker: number[]; // requests for keepalive, connections otherwise
  rate: number; // requests/s for keepalive, connections/s otherwise
  wakeups?: number;
  primaryCpuUs?: number;
  primaryRssMiB?: number;
  workerRssMiB?: number;
  connectionsServedBefore?: number;
}

export function record(spec: RecordSpec): RunRecord {
  const keepalive = spec.workload === 'keepalive';
  const total = spec.perWorker.reduce((a, b) => a + b, 0);
  const connections = keepalive ? 32 : total;
  return {
    impl: spec.impl, policy: spec.policy, scheduler: spec.scheduler !== undefined ? spec.scheduler : spec.policy === 'rr' ? 'round-robin' : null,
    workload: spec.workload, round: spec.round ?? 1,
    requestsPerSec: spec.rate,
    connectionsPerSec: keepalive ? 32 : spec.rate,
    latencyMs: { p50: 1, p99: 4 },
    perWorker: spec.perWorker.map((n, i) => ({
      pid: 1000 + i, connections: keepalive ? 8 : n, requests: n, voluntaryCtxtSwitches: n,
      rssMiB: spec.workerRssMiB ?? 80, rssAfterGcMiB: spec.workerRssMiB ?? 80, heapUsedAfterGcMiB: 10,
    })),
    fairness: { of: keepalive ? 'requests' : 'connections', ...fairness(spec.perWorker) },
    wakeupsPerConnection: spec.wakeups ?? null,
    primaryCpuUsPerConnection: spec.primaryCpuUs ?? null,
    primaryRssMiB: spec.primaryRssMiB ?? 70,
    primaryRssSamplesMiB: { start: 70, middle: 70, end: 70, peak: spec.primaryRssMiB ?? 70 },
    workerRssMiB: spec.workerRssMiB ?? 80,
    primaryRssAfterGcMiB: spec.primaryRssMiB ?? 70,
    workerRssAfterGcMiB: spec.workerRssMiB ?? 80,
    served: { connections, requests: total },
    connectionsServedBefore: spec.connectionsServedBefore ?? 0,
    client: { count: total, unit: keepalive ? 'requests' : 'connections', failed: 0, agreesWithWorkers: true },
    elapsedMs: 1000,
  };
}

const IMPLS: Impl[] = ['mini-cluster', 'node:cluster'];
const POLICIES: Policy[] = ['rr', 'none'];

/**
 * A plausible comparison: round robin even and one wakeup per connection,
 * SCHED_NONE lopsided with four; mini-cluster a little faster than Node.
 */
export function plausibleRecords(rounds = 3): RunRecord[] {
  const records: RunRecord[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const policy of POLICIES) {
      for (const impl of IMPLS) {
        const speed = impl === 'mini-cluster' ? 1.02 : 1;
        const before = (round - 1) * 10_000;
        const even = policy === 'rr';
        records.push(
          record({ impl, policy, workload: 'keepalive', round, perWorker: even ? [9000, 9100, 8900, 9000] : [20000, 9000, 7000, 0], rate: 36000 * speed, connectionsServedBefore: before }),
          record({ impl, policy, workload: 'churn', round, perWorker: even ? [1000, 1000, 1000, 1000] : [1400, 1100, 900, 600], rate: (even ? 4000 : 6000) * speed, wakeups: even ? 1.1 : 4, primaryCpuUs: even ? 100 : 1, connectionsServedBefore: before }),
          record({ impl, policy, workload: 'trickle', round, perWorker: even ? [100, 100, 100, 100] : [13, 117, 170, 100], rate: 350, wakeups: even ? 1 : 4.2, primaryCpuUs: even ? 150 : 10, connectionsServedBefore: before }),
        );
      }
    }
  }
  return records;
}
