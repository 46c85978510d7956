/**
 * Decision cost per connection, from 2 to 64 workers, in one process with
 * fake workers (fake-workers.ts): the primary's own work for one connection
 * (the choice, the handoff, the answer, back to idle), and the scheduler's
 * pick() alone over the candidates ScheduledHandle would give it. Round robin
 * takes the oldest idle worker, whatever their number; the other three
 * look at every candidate in some way, and this shows how much that costs.
 *
 * Mirrors: nothing — a measuring helper
 * Read next: src/master/scheduler.ts (pick), src/master/scheduled-handle.ts (candidates)
 *
 *   for each round, each scheduler in a process of its own (A B A B), each worker count:
 *     connections through distribute() for 40 ms of CPU => ns per connection;  picks likewise => ns per pick
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RawHandle } from '../../src/ipc.ts';
import { ScheduledHandle } from '../../src/master/scheduled-handle.ts';
import { createScheduler } from '../../src/master/scheduler.ts';
import { median } from '../compare/stats.ts';
import { client, listener, type FakeWorker } from './fake-workers.ts';

export const WORKER_COUNTS = [2, 4, 8, 16, 32, 64] as const;
export const SETTINGS = ['round-robin', 'least-connections', 'power-of-two', 'source-hash'] as const;
export type Setting = (typeof SETTINGS)[number];

/** 1,000 client addresses, so source-hash hashes a different one most times. */
const CLIENTS: RawHandle[] = Array.from({ length: 1000 }, (_, i) => client(`10.0.${i >> 8}.${i & 255}`));

/**
 * Run `one(i)` until it has used `minMs` of this process's CPU time and at
 * least `min` calls (after a quarter as many unmeasured); return CPU ns per
 * call. CPU time, not the clock: on a shared machine the clock also counts
 * the time other processes had the core.
 */
function timed(one: (i: number) => void, minMs: number, min = 1000): number {
  for (let i = 0; i < min / 4; i++) one(i);
  let calls = 0;
  const start = process.cpuUsage();
  let usedUs = 0;
  while (calls < min || usedUs < minMs * 1000) {
    for (let j = 0; j < 100; j++) one(calls++);
    const used = process.cpuUsage(start);
    usedUs = used.user + used.system;
  }
  return (usedUs * 1000) / calls;
}

/** ns per connection through distribute(): decide, newconn to an idle worker, its answer, back to idle. */
export function connectionCost(setting: Setting, n: number, minMs: number): number {
  let chosen: FakeWorker | undefined;
  const { handle } = listener(setting, n, (w) => (chosen = w));
  return timed((i) => {
    handle.distribute(0, CLIENTS[i % CLIENTS.length]!);
    chosen!.answer(); // at once: every worker is idle again before the next connection
  }, minMs);
}

/** ns per pick() over n candidates as ScheduledHandle builds them (loads 0 to 4, all idle); null for round robin. */
export function pickCost(setting: Setting, n: number, minMs: number): number | null {
  const scheduler = createScheduler(setting);
  if (scheduler === null) return null;
  const { handle, workers } = listener(setting, n);
  workers.forEach((w, i) => (handle as ScheduledHandle).reportOpen(w.worker, i % 5));
  const candidates = (handle as ScheduledHandle).candidates();
  const peers = Array.from({ length: 1000 }, (_, i) => ({ remoteAddress: `10.0.${i >> 8}.${i & 255}` }));
  let sink = 0; // the chosen ids, summed, so the picks cannot be optimised away
  const ns = timed((i) => void (sink += scheduler.pick(candidates, peers[i % peers.length]!).worker.id), minMs);
  return sink > 0 ? ns : NaN;
}

export interface CostRow { n: number; setting: Setting; connectionNs: number; pickNs: number | null; samples: number[] }

/** One setting at every worker count, after an unmeasured pass: what one child process measures. */
export function measureSetting(setting: Setting, minMs: number): { n: number; connectionNs: number; pickNs: number | null }[] {
  for (const n of WORKER_COUNTS) (connectionCost(setting, n, minMs / 2), pickCost(setting, n, minMs / 2));
  return WORKER_COUNTS.map((n) => ({ n, connectionNs: connectionCost(setting, n, minMs), pickNs: pickCost(setting, n, minMs) }));
}

const CHILD = fileURLToPath(new URL('./cost-child.ts', import.meta.url));

/**
 * Each round, each setting in a process of its own (A B C D A B C D): no
 * setting's garbage, or the JIT's view of another handle class, weighs on
 * another's figures. Medians over the rounds.
 */
export function measureCost(rounds: number, minMs: number): CostRow[] {
  const samples = new Map<string, { c: number[]; p: (number | null)[] }>();
  for (let round = 0; round < rounds; round++) {
    for (const setting of SETTINGS) {
      const child = spawnSync(process.execPath, ['--import', 'tsx', CHILD, setting, String(minMs)], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`cost-child ${setting} failed: ${child.stderr}`);
      for (const row of JSON.parse(child.stdout) as ReturnType<typeof measureSetting>) {
        const key = `${row.n}|${setting}`;
        const s = samples.get(key) ?? { c: [], p: [] };
        s.c.push(row.connectionNs);
        s.p.push(row.pickNs);
        samples.set(key, s);
      }
    }
  }
  return WORKER_COUNTS.flatMap((n) => SETTINGS.map((setting) => {
    const s = samples.get(`${n}|${setting}`)!;
    return { n, setting, connectionNs: median(s.c)!, pickNs: median(s.p), samples: s.c };
  }));
}
