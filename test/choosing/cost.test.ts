// Specs for `npm run choosing`'s decision cost: the fake workers really take
// the connections (every one is handed over and answered), and each setting
// measures in a process of its own.
// Mirrors: nothing — teaching helper
// Read next: scripts/choosing/cost.ts, scripts/choosing/fake-workers.ts

import { describe, expect, it } from 'vitest';
import { measureSetting } from '../../scripts/choosing/cost.ts';
import { client, listener, type FakeWorker } from '../../scripts/choosing/fake-workers.ts';

describe('the fake workers of the cost measurement', () => {
  it('hands every connection to a worker that answers, and least-connections spreads them evenly', () => {
    let chosen: FakeWorker | undefined;
    const { handle, workers } = listener('least-connections', 4, (w) => (chosen = w));
    for (let i = 0; i < 40; i++) {
      chosen = undefined;
      handle.distribute(0, client(`10.0.0.${i}`));
      expect(chosen, `connection ${i}`).toBeDefined();
      chosen!.answer();
    }
    expect(workers.map((w) => w.open)).toEqual([10, 10, 10, 10]);
    expect(handle.queues().free).toHaveLength(4); // all idle again
  });

  it('sends each address to one worker under source-hash', () => {
    let chosen: FakeWorker | undefined;
    const { handle } = listener('source-hash', 8, (w) => (chosen = w));
    const ids = [1, 2, 3].map(() => {
      handle.distribute(0, client('192.0.2.7'));
      chosen!.answer();
      return chosen!.worker.id;
    });
    expect(new Set(ids).size).toBe(1);
  });
});

describe('measureSetting', () => {
  it('gives a cost per connection at every worker count, and a pick() cost except for round robin', () => {
    const rr = measureSetting('round-robin', 2);
    const p2 = measureSetting('power-of-two', 2);
    expect(rr.map((r) => r.n)).toEqual([2, 4, 8, 16, 32, 64]);
    for (const r of [...rr, ...p2]) expect(r.connectionNs).toBeGreaterThan(0);
    expect(rr.every((r) => r.pickNs === null)).toBe(true);
    expect(p2.every((r) => r.pickNs! > 0)).toBe(true);
  });
});
