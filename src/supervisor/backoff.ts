/**
 * When to respawn a crashed worker, and when to stop trying: exponential
 * backoff per slot, and a cap on restarts inside a sliding time window.
 * Pure arithmetic on timestamps, so the unit spec needs no processes.
 *
 * Mirrors: nothing — the patterns of PM2 and of the articles in docs/sources.md
 * Read next: src/supervisor/supervisor.ts (#onexit: it uses both)
 *
 *   crash 1 => wait 100 ms, crash 2 => 200 ms, crash 3 => 400 ms ... capped at maxDelayMs
 *   a worker that stayed up for stableAfterMs resets the doubling to 100 ms
 *   more than maxRestarts crashes within windowMs => give the slot up
 */

/**
 * Why back off at all? A worker that crashes at start (a bad config, a port
 * taken, a database down) would otherwise be forked in a tight loop, each
 * fork costing a whole Node start-up. PM2 doubles from 100 ms up to 15 s.
 */
export function backoffDelay(streak: number, initialMs: number, maxMs: number): number {
  // streak 1 is the first crash of a run: wait the initial delay.
  const exponent = Math.max(0, streak - 1);
  return Math.min(maxMs, initialMs * 2 ** Math.min(exponent, 30));
}

/**
 * The restart history of one slot. Backoff slows a crash loop down; the
 * window cap ends it, because some faults never go away by waiting
 * (the course's "restart limits" in docs/sources.md: maxRestarts in a window, then give up).
 */
export class CrashHistory {
  /** Consecutive crashes without a stable run in between: the backoff exponent. */
  streak = 0;
  /** Times of the crashes still inside the window, oldest first. */
  readonly times: number[] = [];

  constructor(
    private readonly maxRestarts: number,
    private readonly windowMs: number,
    private readonly stableAfterMs: number,
  ) {}

  /**
   * Record a crash at `now` of a worker that had run for `livedMs`.
   * Returns the number of crashes inside the window, including this one.
   */
  record(now: number, livedMs: number): number {
    // A worker that ran long enough was healthy: this crash starts a new run.
    this.streak = livedMs >= this.stableAfterMs ? 1 : this.streak + 1;
    while (this.times.length > 0 && now - this.times[0]! >= this.windowMs) this.times.shift();
    this.times.push(now);
    return this.times.length;
  }

  /** More crashes in the window than restarts allowed: respawning again would only loop. */
  exhausted(): boolean {
    return this.times.length > this.maxRestarts;
  }

  /** A deliberate replacement (rolling restart) starts a clean history: new code, new chances. */
  reset(): void {
    this.streak = 0;
    this.times.length = 0;
  }
}
