// Turns a table of cases into specs. Each row names the Node test it follows
// (nodejs/node's test/parallel/test-cluster-*.js), the case program written
// here in our own words (cases/*.cjs), and the behaviour in one sentence.
//
// A row passes when the case exits 0 under node:cluster (so the program does
// state something true of Node) and under mini-cluster. A row with `differs`
// is a known, written-down difference: it must still pass under
// node:cluster and must fail under mini-cluster, so that the day the
// difference goes away the spec goes red and the row is moved back.
import { describe, expect, it } from 'vitest';
import { describeResult, runBoth } from './run.ts';

export interface NodeCase {
  /** Node's test, e.g. 'test-cluster-disconnect-leak'. */
  node: string;
  /** The program in cases/. */
  file: string;
  /** What holds, as a present-tense sentence. */
  it: string;
  env?: Record<string, string>;
  /** Why mini-cluster behaves otherwise, on purpose or not yet. */
  differs?: string;
  /** Runs only where this holds (a platform or Node version), with the reason. */
  runIf?: { when: boolean; why: string };
  timeoutMs?: number;
}

export function defineCases(title: string, cases: NodeCase[]): void {
  describe(title, () => {
    for (const c of cases) {
      const name = `${c.it} (${c.node})`;
      const test = c.runIf && !c.runIf.when ? it.skip : it;
      test(c.differs ? `${name}: differs, ${c.differs}` : name, async () => {
        const { node, mini } = await runBoth(c.file, c.env);
        expect(node.code, describeResult('node', node)).toBe(0);
        if (c.differs) expect(mini.code, `${describeResult('mini', mini)}\n(listed as a difference, but it passes now: move the row back)`).not.toBe(0);
        else expect(mini.code, describeResult('mini', mini)).toBe(0);
      }, c.timeoutMs ?? 30_000);
    }
  });
}
