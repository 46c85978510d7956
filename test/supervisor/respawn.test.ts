// Respawn on crash: the backoff between a crash and the next fork, the cap
// that ends a crash loop, and the rule that a worker which left on purpose
// (disconnect, from either side) is never brought back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scenario, type Rec } from '../fixtures/supervisor/run.ts';

describe('respawn on crash', () => {
  // One worker that throws 50 ms after it listens, every time: a crash loop.
  // Three restarts are allowed in the window; the fourth crash gives up.
  let run: Scenario;
  beforeAll(async () => {
    run = new Scenario('mini', { workers: 1, initialDelayMs: 100, maxRestarts: 3, restartWindowMs: 60_000 }, { CRASH_AFTER_MS: '50' });
    await run.next('giveup', undefined, 25_000);
    await new Promise((resolve) => setTimeout(resolve, 800)); // time for a respawn that must not come
  }, 30_000);
  afterAll(() => run?.stop());

  it('forks a new worker after each crash, waiting 100, 200, then 400 ms', () => {
    const crashes = run.of('crash');
    expect(crashes.map((c) => c.delayMs)).toEqual([100, 200, 400]);
    expect(crashes.every((c) => c.code === 1)).toBe(true); // an uncaught exception exits with 1
    const forks = run.of('fork');
    const exits = run.of('exit');
    // The gap between each exit and the next fork, seen from the primary's clock.
    const gaps = crashes.map((_, i) => forks[i + 1]!.t - exits[i]!.t);
    for (const [i, gap] of gaps.entries()) {
      expect(gap, `gaps ${gaps}`).toBeGreaterThanOrEqual(crashes[i]!.delayMs - 2);
      expect(gap, `gaps ${gaps}`).toBeLessThan(crashes[i]!.delayMs + 1_000);
    }
    expect(forks.slice(1).every((f: Rec) => f.reason === 'respawn')).toBe(true);
  });

  it('gives the slot up after more crashes in the window than restarts allowed, and forks no more', () => {
    const giveup = run.of('giveup');
    expect(giveup).toHaveLength(1);
    expect(giveup[0]).toMatchObject({ slot: 0, crashes: 4, windowMs: 60_000 });
    expect(run.of('fork')).toHaveLength(4); // the first worker and three respawns
    expect(run.of('fork').every((f) => f.t < giveup[0]!.t)).toBe(true);
  });
});

describe.each(['mini', 'node'] as const)('a worker that leaves on purpose (%s cluster)', (impl) => {
  // Slot 0 is disconnected by the primary, slot 1 disconnects itself: both
  // exit with exitedAfterDisconnect true, and neither slot is refilled.
  it('is not respawned, whichever side called disconnect()', async () => {
    const run = new Scenario(impl, { workers: 2, initialDelayMs: 50 });
    try {
      await run.next('started');
      run.command('disconnect 0');
      run.command('leave 1');
      const exits = await run.until('two exits', (rs) => { const e = rs.filter((r) => r.type === 'exit'); return e.length === 2 && e; });
      expect(exits.map((e) => e.exitedAfterDisconnect)).toEqual([true, true]);
      await new Promise((resolve) => setTimeout(resolve, 600)); // well past the 50 ms backoff
      run.command('stats');
      const stats = (await run.next('stats')).stats as Rec[];
      expect(stats.map((s) => s.state)).toEqual(['empty', 'empty']);
      expect(run.of('fork').map((f) => f.reason)).toEqual(['start', 'start']);
      expect(run.of('crash')).toHaveLength(0);
    } finally {
      run.stop();
    }
  }, 20_000);
});
