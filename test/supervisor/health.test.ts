// Worker health: each worker's helper (src/supervisor/health.ts) reports its
// requests, RSS and CPU over IPC; the supervisor keeps the latest per worker
// in stats(), and replaces a worker whose RSS crosses maxRssBytes.
import { afterEach, describe, expect, it } from 'vitest';
import { Scenario, get, type Rec } from '../fixtures/supervisor/run.ts';

const scenarios: Scenario[] = [];
afterEach(() => {
  for (const run of scenarios.splice(0)) run.stop();
});

describe('health reports', () => {
  it('give stats() each worker\'s request count, memory and CPU, fresh every interval', async () => {
    const run = new Scenario('mini', { workers: 2 }, { HEALTH_INTERVAL_MS: '100' });
    scenarios.push(run);
    await run.next('started');
    const port = run.of('listening')[0]!.port;
    for (let i = 0; i < 20; i++) expect(await get(port)).toHaveProperty('status', 200);

    // Poll stats() until the reports have caught up with the 20 requests.
    let stats: Rec[] = [];
    for (let i = 0; i < 50; i++) {
      run.command('stats');
      stats = (await run.until(`stats #${i + 1}`, (rs) => rs.filter((r) => r.type === 'stats')[i]))!.stats;
      if (stats.reduce((sum, s) => sum + (s.health?.requests ?? 0), 0) >= 20) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(stats.reduce((sum, s) => sum + s.health.requests, 0)).toBe(20);
    for (const s of stats) {
      expect(s).toMatchObject({ state: 'ready', respawns: 0 });
      expect(s.health.pid).toBe(s.pid);
      expect(s.health.rss).toBeGreaterThan(10 * 1024 * 1024); // a Node process is at least tens of MB
      expect(s.health.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(s.health.intervalMs).toBe(100);
      expect(s.reportAgeMs).toBeLessThan(1_000);
    }
  }, 20_000);

  // A threshold of 1 byte: every worker is "too big" at its first report.
  it('replace a worker whose RSS crosses the threshold, one replacement at a time', async () => {
    const run = new Scenario('mini', { workers: 2, maxRssBytes: 1 }, { HEALTH_INTERVAL_MS: '100' });
    scenarios.push(run);
    const started = await run.next('started');
    const replaced = await run.until('two memory replacements', (rs) => { const r = rs.filter((x) => x.type === 'replaced'); return r.length >= 2 && r; }, 20_000);
    run.command('shutdown');
    await run.exit();

    const memory = run.of('memory')[0]!;
    expect(memory.rss).toBeGreaterThan(1);
    expect(memory.limit).toBe(1);
    expect(replaced[0]).toMatchObject({ reason: 'memory', ok: true, forced: false });
    expect((started.stats as Rec[]).map((s) => s.pid)).toContain(replaced[0]!.oldPid);
    expect(replaced[0]!.newPid).not.toBe(replaced[0]!.oldPid);
    // Serialized: each memory fork comes after the previous replacement finished.
    const sequence = run.records.filter((r) => (r.type === 'fork' && r.reason === 'memory') || r.type === 'replaced').map((r) => r.type);
    expect(sequence.slice(0, 4)).toEqual(['fork', 'replaced', 'fork', 'replaced']);
  }, 30_000);
});
