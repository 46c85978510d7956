/**
 * Keep-alive burst and refill: 48 connections opened at once and held, on
 * four idle workers; then every connection of the busiest worker closes and
 * 12 new ones open. Round robin hands out connections in turn to whoever
 * answered first and never looks at what a worker holds; least-connections
 * counts; power-of-two counts two at random.
 *
 * Mirrors: nothing — a measuring helper
 * Read next: src/master/scheduler.ts, test/fixtures/scenarios/schedulers.ts (the same phases as a spec)
 *
 *   burst: 48 × hold() at once => split, max − min
 *   refill: close the busiest worker's, wait 300 ms, 12 × hold() => how many reached the emptied worker
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from './cluster.ts';
import { hold } from './clients.ts';

export const BURST = 48;
export const REFILL = 12;

export interface BurstRun { burst: number[]; refillToEmptied: number; after: number[] }

/** max − min of a split: 0 or 1 is as even as whole connections allow. */
export const spread = (counts: number[]): number => Math.max(...counts) - Math.min(...counts);

export async function burstOnce(cluster: Cluster): Promise<BurstRun> {
  const workers = cluster.workerPids;
  const split = (pids: number[]) => workers.map((pid) => pids.filter((p) => p === pid).length);
  const held = await Promise.all(Array.from({ length: BURST }, () => hold(cluster.port)));
  const burst = split(held.map((h) => h.pid));
  const busiest = workers[burst.indexOf(Math.max(...burst))]!;
  for (const h of held.filter((h) => h.pid === busiest)) h.socket.destroy();
  await sleep(300); // the closes reach the worker, and its count the primary
  const more = await Promise.all(Array.from({ length: REFILL }, () => hold(cluster.port)));
  const kept = held.filter((h) => h.pid !== busiest);
  const after = split([...kept, ...more].map((h) => h.pid));
  for (const h of [...held, ...more]) h.socket.destroy();
  await sleep(300); // every count back to 0 before the next run
  return { burst, refillToEmptied: more.filter((h) => h.pid === busiest).length, after };
}
