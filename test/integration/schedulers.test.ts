// The schedulers with real processes (mini-cluster only: node:cluster has no
// scheduler and ignores the setting). Four keep-alive HTTP workers; see
// test/fixtures/scenarios/schedulers.ts for the three phases.
import { describe, expect, it } from 'vitest';
import { reusePortSupported } from '../../src/master/reuseport-handle.ts';
import { runScenario } from '../helpers/run-scenario.ts';

const run = async (scheduler: string) => (await runScenario('schedulers', 'mini', 'rr', { env: { SCHEDULER: scheduler }, timeoutMs: 30_000 }));
const spread = (counts: number[]): number => Math.max(...counts) - Math.min(...counts);

describe('a scheduler chosen with setupPrimary({ scheduler })', () => {
  it('least-connections splits a burst of 48 held connections 12 each, and refills the emptied worker', async () => {
    const { result } = await run('least-connections');
    expect(spread(result.burst), `burst ${result.burst}`).toBeLessThanOrEqual(1);
    // The busiest worker's 12 connections closed; the 12 new ones all go to it.
    expect(result.refill[result.busiest - 1], `refill ${result.refill}`).toBeGreaterThanOrEqual(11);
    expect(spread(result.total), `total ${result.total}`).toBeLessThanOrEqual(1);
  }, 40_000);

  it('power-of-two serves every connection and keeps the split within a few', async () => {
    const { result } = await run('power-of-two');
    expect(result.burst.reduce((a: number, b: number) => a + b)).toBe(48);
    expect(spread(result.burst), `burst ${result.burst}`).toBeLessThanOrEqual(8);
  }, 40_000);

  it('source-hash sends each client address to one worker, every time', async () => {
    const { result } = await run('source-hash');
    const perAddress = Object.values(result.sources as Record<string, number[]>);
    for (const ids of perAddress) expect(new Set(ids).size, JSON.stringify(result.sources)).toBe(1);
    expect(new Set(perAddress.map((ids) => ids[0])).size).toBeGreaterThanOrEqual(2); // ten addresses spread over workers
  }, 40_000);

  it('a function gets the candidates and its choice is followed', async () => {
    const { result } = await run('custom-last');
    expect(result.burst).toEqual([0, 0, 0, 48]);
  }, 40_000);

  it('a function that throws falls back to round robin, with one warning', async () => {
    const { result, stderr } = await run('custom-throw');
    expect(result.burst.reduce((a: number, b: number) => a + b)).toBe(48);
    expect(Math.min(...result.burst), `burst ${result.burst}`).toBeGreaterThan(0);
    expect(stderr.match(/scheduler custom-throw failed/g)).toHaveLength(1);
  }, 40_000);

  it('round robin, the default, is blind to what each worker holds', async () => {
    const { result } = await run('round-robin');
    expect(result.burst.reduce((a: number, b: number) => a + b)).toBe(48);
    // The 12 new connections are not steered to the emptied worker.
    expect(result.refill[result.busiest - 1]).toBeLessThan(12);
  }, 40_000);
});

describe('NODE_CLUSTER_SCHED_POLICY=reuseport', () => {
  it.runIf(reusePortSupported())('lets each worker bind its own socket on the one port the primary chose', async () => {
    const { result } = await runScenario('reuseport', 'mini', 'reuseport');
    expect(result).toMatchObject({ policy: 3, ports: 1, kinds: ['tcp'] });
    expect(new Set(result.served).size, `served ${result.served}`).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it.skipIf(reusePortSupported())('throws at setupPrimary() on a Node without listen({ reusePort }), naming the version needed', async () => {
    const { result } = await runScenario('reuseport', 'mini', 'reuseport');
    expect(result.error).toMatch(/SCHED_REUSEPORT needs listen\(\{ reusePort \}\), which Node has from 22\.12 and 23\.1; this is Node v20/);
  }, 30_000);
});
