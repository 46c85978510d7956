/**
 * source-hash: the same client address reaches the same worker, and when
 * one of N workers leaves, only the addresses it had move (rendezvous
 * hashing, scheduler.ts). Computed with the engine's own pick() over 10,000
 * addresses beside `hash(address) % N` for contrast, then measured with real
 * processes: 64 local addresses, 3 connections each, one worker of 4 leaves.
 *
 * Mirrors: nothing — a measuring helper
 * Read next: src/master/scheduler.ts (sourceHash)
 *
 *   computed: addresses => pick() over workers 1..N, then over 1..N without one => moved share
 *   measured: 64 sources × 3 connections => stickiness; w2 leaves; 1 more each => moved share
 */
import { createHash } from 'node:crypto';
import type { Worker } from '../../src/worker.ts';
import { createScheduler, type Candidate } from '../../src/master/scheduler.ts';
import { loopbackSources } from '../compare/churn-client.ts';
import type { Cluster } from './cluster.ts';
import { hold } from './clients.ts';

export interface MovedShare { n: number; rendezvous: number; modulo: number; expectedRendezvous: number; expectedModulo: number }

/** Of `addresses`, the share whose worker changes when one of n leaves (the middle one): rendezvous and modulo. */
export function movedShares(n: number, addresses: readonly string[]): MovedShare {
  const scheduler = createScheduler('source-hash')!;
  const candidates = (ids: number[]): Candidate[] => ids.map((id) => ({ worker: { id } as Worker, open: 0, pending: 0, idle: true }));
  const all = Array.from({ length: n }, (_, i) => i + 1);
  const leaving = all[Math.floor(n / 2)]!;
  const left = all.filter((id) => id !== leaving);
  let rendezvous = 0;
  let modulo = 0;
  for (const address of addresses) {
    const before = scheduler.pick(candidates(all), { remoteAddress: address }).worker.id;
    const after = scheduler.pick(candidates(left), { remoteAddress: address }).worker.id;
    if (before !== after) rendezvous++;
    // hash % N over the list of workers, as a naive balancer would do it.
    const h = createHash('sha1').update(address).digest().readUInt32BE(0);
    if (all[h % n] !== left[h % (n - 1)]) modulo++;
  }
  return { n, rendezvous: rendezvous / addresses.length, modulo: modulo / addresses.length, expectedRendezvous: 1 / n, expectedModulo: (n - 1) / n };
}

/** 10,000 addresses, as clients of a public service would have. */
export const ADDRESSES = Array.from({ length: 10_000 }, (_, i) => `198.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);

export interface Stickiness {
  sources: number;
  connectionsEach: number;
  sticky: number; // sources whose connections all reached one worker
  split: number[]; // sources per worker, before
  leaving: number; // the index (fork order) of the worker that left
  leavingShare: number; // its share of the sources, before
  moved: number; // sources whose worker changed after it left
  movedFromOthers: number; // of those, sources that were not on the leaving worker (rendezvous: 0)
}

/** Real processes: `sources` local addresses, `each` connections apiece, then worker `leaving` leaves and each connects once more. */
export async function stickiness(cluster: Cluster, sources = 64, each = 3, leaving = 1): Promise<Stickiness> {
  const from = loopbackSources(sources + 100).slice(100); // 127.0.0.102 on: apart from the other parts' addresses
  const workers = cluster.workerPids;
  const first = new Map<string, number[]>();
  for (let round = 0; round < each; round++) {
    const got = await Promise.all(from.map((address) => hold(cluster.port, address)));
    got.forEach((g, i) => (first.get(from[i]!) ?? first.set(from[i]!, []).get(from[i]!)!).push(g.pid));
    for (const g of got) g.socket.destroy();
  }
  const sticky = [...first.values()].filter((pids) => new Set(pids).size === 1).length;
  const owner = (address: string) => first.get(address)![0]!;
  const split = workers.map((pid) => from.filter((a) => owner(a) === pid).length);
  const gone = await cluster.leave(leaving);
  const again = await Promise.all(from.map((address) => hold(cluster.port, address)));
  for (const g of again) g.socket.destroy();
  const moved = from.filter((a, i) => again[i]!.pid !== owner(a));
  return {
    sources, connectionsEach: each, sticky, split, leaving, leavingShare: split[workers.indexOf(gone)]! / sources,
    moved: moved.length, movedFromOthers: moved.filter((a) => owner(a) !== gone).length,
  };
}
