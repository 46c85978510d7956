// The skewed workload's mix, on the worker's side: GET /skew/<n> asks for a
// busy loop of n iterations, and every 20th such request the worker serves
// asks for 50 × n. Fixed by the worker's own count, not by chance, so every
// set-up gets the same 5 % of slow requests.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/worker.ts (who calls it), scripts/compare/runner.ts (who asks for /skew/<n>)

import { SLOW_EVERY, SLOW_FACTOR } from './protocol.ts';

/** A per-worker counter: `(url) => iterations`, `work` for every URL other than /skew/<n>. */
export function skewedWork(work: number): (url: string | undefined) => number {
  let skewed = 0; // /skew/<n> requests seen so far
  return (url) => {
    if (url === '/' || url === undefined || !url.startsWith('/skew/')) return work;
    const base = Number(url.slice('/skew/'.length)) || 0;
    return ++skewed % SLOW_EVERY === 0 ? base * SLOW_FACTOR : base;
  };
}
