// Worker start-up per set-up: a fresh primary each time, timed from its
// first fork() to its last worker's 'listening' (measured in primary.ts),
// set-ups alternated A B A B and one at a time, so that no start competes
// with another. The long-lived primaries of the load runs start together
// and are not timed.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/primary.ts (where startupMs is measured)

import { PrimaryProcess } from './launcher.ts';
import { runnable } from './runner.ts';
import type { Options } from './options.ts';
import type { Impl, Policy } from './protocol.ts';
import { median, ratio } from './stats.ts';

export interface StartupRecord { impl: Impl; policy: Policy; round: number; startupMs: number }
export interface StartupCell { impl: Impl; policy: Policy; medianMs: number | null; samplesMs: number[] }
export interface StartupSummary { cells: StartupCell[]; miniOverNode: { policy: Policy; ratio: number | null }[] }

export async function measureStartup(options: Options, rounds: number, log: (line: string) => void): Promise<StartupRecord[]> {
  const records: StartupRecord[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const policy of options.policies) {
      for (const impl of options.impls.filter((i) => runnable(i, policy))) {
        const primary = await PrimaryProcess.start({ impl, policy, workers: options.workers, work: options.work });
        records.push({ impl, policy, round, startupMs: primary.startupMs });
        await primary.stop();
      }
    }
    log(`  start-up round ${round}: ${records.filter((r) => r.round === round).map((r) => `${r.impl} ${r.policy} ${Math.round(r.startupMs)} ms`).join(', ')}`);
  }
  return records;
}

export function summariseStartup(records: StartupRecord[]): StartupSummary {
  const keys = [...new Map(records.map((r) => [`${r.impl} ${r.policy}`, r])).values()];
  const cells = keys.map(({ impl, policy }) => {
    const samplesMs = records.filter((r) => r.impl === impl && r.policy === policy).map((r) => r.startupMs);
    return { impl, policy, medianMs: median(samplesMs), samplesMs };
  });
  const medianOf = (impl: Impl, policy: Policy) => cells.find((c) => c.impl === impl && c.policy === policy)?.medianMs ?? null;
  const policies = [...new Set(cells.map((c) => c.policy))];
  return { cells, miniOverNode: policies.map((policy) => ({ policy, ratio: ratio(medianOf('mini-cluster', policy), medianOf('node:cluster', policy)) })) };
}

export function renderStartup(summary: StartupSummary, workers: number): string {
  const lines = [`\nworker start-up (fork → ${workers} listening, a fresh primary each round; median ms)`];
  for (const c of summary.cells) lines.push(`  ${`${c.impl} ${c.policy}`.padEnd(18)} ${c.medianMs === null ? '–' : Math.round(c.medianMs).toString().padStart(6)}   (${c.samplesMs.map((m) => Math.round(m)).join(', ')})`);
  for (const r of summary.miniOverNode) lines.push(`  mini ÷ node, ${r.policy.padEnd(4)}  ${r.ratio === null ? '–' : r.ratio.toFixed(2)}`);
  return lines.join('\n');
}
