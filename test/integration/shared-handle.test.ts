// SCHED_NONE end to end: the primary binds once, every worker listens and
// accepts on the same socket, and the kernel decides who wins each
// connection, so the split is uneven and is not asserted exactly.
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type ScenarioRun } from '../helpers/run-scenario.ts';

describe('SCHED_NONE with four workers', () => {
  let node: ScenarioRun;
  let mini: ScenarioRun;
  beforeAll(async () => {
    [node, mini] = await Promise.all([runScenario('rotation', 'node', 'none'), runScenario('rotation', 'mini', 'none')]);
  }, 40_000);

  it('serves every connection through workers that accept for themselves', () => {
    expect(mini.result.served).toHaveLength(12);
    for (const tag of mini.result.served) expect(['w1', 'w2', 'w3', 'w4']).toContain(tag);
  });

  it('reports one shared port and the same events as node:cluster', () => {
    expect(new Set(mini.result.addresses.map((a: { port: number }) => a.port)).size).toBe(1);
    const events = (run: ScenarioRun) => run.records.filter((r) => r.type === 'events').at(-1);
    expect(events(mini)).toEqual(events(node));
  });

  it('routes to the remaining worker while one is closed, and shares the port again after it re-listens', async () => {
    const mini = await runScenario('close-relisten', 'mini', 'none');
    expect(mini.result.whileClosed).toEqual(['w2', 'w2', 'w2', 'w2']);
    expect(mini.result.samePort).toBe(true);
  }, 40_000);
});
