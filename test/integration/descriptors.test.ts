// Descriptors in the primary under connection churn with workers killed
// mid-stream. The full-size run (100,000 connections, 50 restarts) is
// `npm run fd-leak`; this is the same scenario, smaller.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../helpers/run-scenario.ts';

describe('the primary under churn while workers are killed and replaced', () => {
  it('ends with as many open descriptors as it started with, and no client left hanging', async () => {
    const run = await runScenario('fd-churn', 'mini', 'rr', { env: { CONNECTIONS: '4000', RESTARTS: '5' }, timeoutMs: 90_000 });
    const { before, after, sent, ok, reasons, restarts } = run.result;
    expect(sent).toBe(4000);
    expect(restarts, 'workers killed and replaced').toBeGreaterThanOrEqual(3);
    expect(after - before, `descriptors before ${before}, after ${after}`).toBeLessThanOrEqual(2);
    // Only requests a killed worker was serving at that instant may fail:
    // no refusals, no timeouts (a hung handoff would time out).
    expect(Object.keys(reasons).filter((r) => r !== 'ECONNRESET'), JSON.stringify(reasons)).toEqual([]);
    expect(ok / sent).toBeGreaterThan(0.95);
  }, 100_000);
});
