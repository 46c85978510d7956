// The arithmetic behind every figure the comparison prints: fairness (Jain's
// index, max/min, busiest share), percentiles, medians, ratios, and the two
// per-connection costs (wakeups and primary CPU time).
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/summary.ts (where these figures are combined)
//
// Every function returns null where a figure has no meaning (no samples,
// nothing served, /proc missing), so a reader never sees a made-up zero.

/** Jain's fairness index: (Σx)² / (n·Σx²). 1 is perfectly even; 1/n means one worker took everything. */
export function jainIndex(counts: readonly number[]): number | null {
  const sum = counts.reduce((a, b) => a + b, 0);
  const sumOfSquares = counts.reduce((a, b) => a + b * b, 0);
  if (counts.length === 0 || sumOfSquares === 0) return null;
  return (sum * sum) / (counts.length * sumOfSquares);
}

/** Busiest worker over idlest. Infinity when a worker served nothing while another did. */
export function maxOverMin(counts: readonly number[]): number | null {
  if (counts.length === 0) return null;
  const max = Math.max(...counts);
  const min = Math.min(...counts);
  if (max === 0) return null;
  return min === 0 ? Infinity : max / min;
}

/** The busiest worker's share of the total, between 1/n and 1. */
export function busiestShare(counts: readonly number[]): number | null {
  const sum = counts.reduce((a, b) => a + b, 0);
  if (sum === 0) return null;
  return Math.max(...counts) / sum;
}

export interface Fairness {
  jain: number | null;
  maxOverMin: number | null;
  busiestShare: number | null;
}

export function fairness(counts: readonly number[]): Fairness {
  return { jain: jainIndex(counts), maxOverMin: maxOverMin(counts), busiestShare: busiestShare(counts) };
}

/**
 * Nearest-rank percentile: the smallest sample with at least p% of the
 * samples at or below it. No interpolation, so the answer is always a value
 * that was really observed.
 */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  if (p < 0 || p > 100) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Median of the values that exist; the mean of the middle two for an even count. */
export function median(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null && !Number.isNaN(v));
  if (known.length === 0) return null;
  const sorted = [...known].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** a ÷ b, or null when either side is missing or b is zero. */
export function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null || b === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  return a / b;
}

/**
 * Wakeups per connection: how many times, in total, the workers' main threads
 * went to sleep and were woken, for each connection served. With SCHED_NONE
 * every worker wakes for every connection (about n); with round robin only
 * the chosen worker does (about 1). null without /proc or without connections.
 */
export function wakeupsPerConnection(ctxtSwitchDeltas: readonly (number | null)[], connections: number): number | null {
  if (connections === 0 || ctxtSwitchDeltas.length === 0) return null;
  if (ctxtSwitchDeltas.some((d) => d === null)) return null;
  const total = (ctxtSwitchDeltas as number[]).reduce((a, b) => a + b, 0);
  return total / connections;
}

/** The primary's CPU time (user + system, µs) spent per connection served. */
export function cpuUsPerConnection(cpu: { user: number; system: number }, connections: number): number | null {
  if (connections === 0) return null;
  return (cpu.user + cpu.system) / connections;
}

/** Bytes to mebibytes, rounded to 0.1 MiB. */
export function toMiB(bytes: number): number {
  return Math.round((bytes / (1024 * 1024)) * 10) / 10;
}
