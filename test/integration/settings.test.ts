// setupPrimary() settings and the scheduling policy, compared with node:cluster.
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type ScenarioRun } from '../helpers/run-scenario.ts';

describe('setupPrimary and the scheduling policy', () => {
  let node: ScenarioRun;
  let mini: ScenarioRun;
  beforeAll(async () => {
    [node, mini] = await Promise.all([runScenario('settings', 'node'), runScenario('settings', 'mini')]);
  }, 40_000);

  it('passes exec, args, execArgv, silent, cwd and serialization to every worker', () => {
    expect(mini.result.workers[0]).toMatchObject({ args: ['--answer', '42'], inCwd: true, heapFlag: true });
    expect(mini.result).toMatchObject({ pipedStdout: true, served: true });
    expect(mini.result).toEqual(node.result);
  });

  // schedulingPolicy is SCHED_NONE at the first fork, SCHED_RR before the second.
  it('freezes the policy at the first fork, while the property stays writable', () => {
    expect(mini.result.workers.map((w: { kind: string }) => w.kind)).toEqual(['tcp', 'tcp']);
    expect(mini.result.policyReadsBack).toBe(2);
  });
});
