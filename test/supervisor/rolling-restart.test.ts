// Rolling restart: each worker is replaced by a fresh one that is already
// listening before the old one drains and disconnects, so clients on the
// same port never see an error. Triggered here by SIGUSR2, by SIGHUP and by
// a function call.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { Scenario, get, type Rec } from '../fixtures/supervisor/run.ts';

const scenarios: Scenario[] = [];
afterEach(() => {
  for (const run of scenarios.splice(0)) run.stop();
});

/** Two sequential lanes until `stop` resolves: one keep-alive connection, one new connection per request. */
async function lightLoad(port: number, stop: Promise<unknown>) {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const results: { lane: string; pid?: number; error?: string }[] = [];
  const lane = async (name: string, use: http.Agent | false) => {
    for (let i = 0; i < 2_000 && !stopped; i++) {
      const reply = await get(port, '/', use);
      results.push('error' in reply ? { lane: name, error: reply.error } : reply.status !== 200 ? { lane: name, error: `status ${reply.status}` } : { lane: name, pid: JSON.parse(reply.body).pid });
    }
  };
  await Promise.all([lane('keep-alive', agent), lane('new-connection', false)]);
  agent.destroy();
  return results;
}

describe.each([
  ['mini', 'SIGUSR2'],
  ['node', 'SIGHUP'],
] as const)('a rolling restart (%s cluster, %s)', (impl, signal) => {
  it('replaces every worker on the same port with no failed request under a light sequential client', async () => {
    const run = new Scenario(impl, { workers: 3 });
    scenarios.push(run);
    const started = await run.next('started');
    const oldPids = (started.stats as Rec[]).map((s) => s.pid);
    const port = run.of('listening')[0]!.port;

    const replaced = run.until('three replacements', (rs) => { const r = rs.filter((x) => x.type === 'replaced'); return r.length === 3 && r; }, 25_000);
    const load = lightLoad(port, replaced.then(() => new Promise((resolve) => setTimeout(resolve, 300))));
    await new Promise((resolve) => setTimeout(resolve, 300)); // the load is running
    run.signal(signal);
    const replacements = await replaced;
    const results = await load;

    const failures = results.filter((r) => r.error);
    expect(failures, JSON.stringify(failures.slice(0, 5))).toHaveLength(0);
    expect(results.length).toBeGreaterThan(20);
    expect(replacements.map((r) => [r.slot, r.ok, r.forced])).toEqual([[0, true, false], [1, true, false], [2, true, false]]);
    expect(replacements.map((r) => r.oldPid)).toEqual(oldPids);
    const newPids = replacements.map((r) => r.newPid);
    expect(newPids.filter((pid) => oldPids.includes(pid))).toEqual([]);
    // Every listening event, old workers' and new ones', reports the one port.
    expect(new Set(run.of('listening').map((l) => l.port))).toEqual(new Set([port]));
    const after = await get(port);
    expect('body' in after && newPids).toContain('body' in after ? JSON.parse(after.body).pid : -1);
  }, 40_000);
});

describe('a rolling restart with readiness messages', () => {
  // The worker listens at once but says ready only 700 ms later (a slow
  // starter warming a cache): the supervisor waits for the message.
  it('waits for the worker\'s ready message rather than its listening event', async () => {
    const run = new Scenario('mini', { workers: 1, readiness: 'message', readyTimeoutMs: 5_000 }, { READY_DELAY_MS: '700' });
    scenarios.push(run);
    await run.next('started');
    const listening = run.of('listening')[0]!;
    const ready = run.of('ready')[0]!;
    expect(ready.t - listening.t).toBeGreaterThanOrEqual(650);
  }, 20_000);

  // A replacement that never says ready is killed at readyTimeoutMs, and the
  // old worker keeps serving: a failed deploy must not become an outage.
  // (4 s: a fork under load can take over a second before it can say ready.)
  it('keeps the old worker when its replacement is never ready', async () => {
    const marker = `/tmp/mini-cluster-never-ready-${process.pid}`;
    const run = new Scenario('mini', { workers: 1, readiness: 'message', readyTimeoutMs: 4_000 }, { READY_DELAY_MS: '0', READY_NEVER_IF_FILE: marker });
    scenarios.push(run);
    const old = await run.next('ready');
    const { writeFileSync, rmSync } = await import('node:fs');
    writeFileSync(marker, ''); // from now on, a new worker never says ready
    try {
      run.command('restart'); // the function call, this time
      const restarted = await run.next('restarted');
      expect(restarted.replacements).toMatchObject([{ slot: 0, ok: false, oldPid: old.pid }]);
      expect(restarted.replacements[0].error).toMatch(/not ready within 4000 ms/);
      expect(run.of('unready').map((u) => u.pid)).toEqual([restarted.replacements[0].newPid]);
      const reply = await get(run.of('listening')[0]!.port);
      expect('body' in reply && JSON.parse(reply.body).pid).toBe(old.pid);
    } finally {
      rmSync(marker, { force: true });
    }
  }, 20_000);
});
