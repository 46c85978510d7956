// Graceful shutdown on SIGTERM/SIGINT: stop accepting, let in-flight
// requests finish, force-kill what does not leave, and say which it was in
// the exit code (0 clean, 1 forced).
import { afterEach, describe, expect, it } from 'vitest';
import { Scenario, get } from '../fixtures/supervisor/run.ts';

const scenarios: Scenario[] = [];
afterEach(() => {
  for (const run of scenarios.splice(0)) run.stop();
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(['mini', 'node'] as const)('a graceful shutdown (%s cluster)', (impl) => {
  // A request that takes 1 s is in flight when SIGTERM arrives: it gets its
  // whole answer, a new connection is refused meanwhile, then the primary exits 0.
  it('lets an in-flight slow request finish, refuses new connections and exits 0', async () => {
    const run = new Scenario(impl, { workers: 2, killTimeoutMs: 5_000 });
    scenarios.push(run);
    await run.next('started');
    const port = run.of('listening')[0]!.port;
    const slow = get(port, '/slow?ms=1000');
    await sleep(300);
    run.signal('SIGTERM');
    await sleep(200);
    const late = await get(port, '/');
    const reply = await slow;
    const { code } = await run.exit();

    expect(reply).toMatchObject({ status: 200 });
    expect('body' in reply && JSON.parse(reply.body).path).toBe('/slow');
    expect(late).toEqual({ error: 'ECONNREFUSED' });
    expect(run.of('shutdown')).toMatchObject([{ reason: 'SIGTERM', workers: 2, forced: false, code: 0 }]);
    expect(code).toBe(0);
    expect(run.of('fork')).toHaveLength(2); // no respawn during the shutdown
  }, 20_000);

  // A request that never ends keeps its worker past killTimeoutMs: SIGKILL, exit 1.
  it('kills a worker still busy after the kill timeout and exits 1', async () => {
    const run = new Scenario(impl, { workers: 2, killTimeoutMs: 500 });
    scenarios.push(run);
    await run.next('started');
    const hang = get(run.of('listening')[0]!.port, '/hang', false, 10_000);
    await sleep(300);
    const signalled = Date.now();
    run.signal('SIGINT');
    const { code } = await run.exit();

    expect(code).toBe(1);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(450);
    expect(run.of('shutdown')).toMatchObject([{ reason: 'SIGINT', forced: true, code: 1 }]);
    expect(run.of('exit').map((e) => e.signal)).toContain('SIGKILL');
    expect(await hang).toHaveProperty('error'); // its connection died with the worker
  }, 20_000);
});

describe('a second shutdown signal', () => {
  it('stops waiting for busy workers and kills them at once', async () => {
    const run = new Scenario('mini', { workers: 1, killTimeoutMs: 10_000 });
    scenarios.push(run);
    await run.next('started');
    void get(run.of('listening')[0]!.port, '/hang', false, 15_000);
    await sleep(300);
    const signalled = Date.now();
    run.signal('SIGTERM');
    await sleep(300);
    run.signal('SIGTERM');
    const { code } = await run.exit(5_000);
    expect(code).toBe(1);
    expect(Date.now() - signalled).toBeLessThan(5_000); // far less than the 10 s kill timeout
  }, 20_000);
});
