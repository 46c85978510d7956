// Specs for the computed half of `npm run choosing`'s source-hash part: the
// engine's rendezvous hashing moves about 1/N of the addresses when one of
// N workers leaves, where hash % N moves about (N − 1)/N.
// Mirrors: nothing — teaching helper
// Read next: scripts/choosing/hashing.ts, src/master/scheduler.ts (sourceHash)

import { describe, expect, it } from 'vitest';
import { ADDRESSES, movedShares } from '../../scripts/choosing/hashing.ts';

describe('movedShares', () => {
  it('moves about a quarter of 10,000 addresses when one of 4 workers leaves, and hash % 4 about three quarters', () => {
    const m = movedShares(4, ADDRESSES);
    expect(m.rendezvous, JSON.stringify(m)).toBeGreaterThan(0.23);
    expect(m.rendezvous, JSON.stringify(m)).toBeLessThan(0.27);
    expect(m.modulo, JSON.stringify(m)).toBeGreaterThan(0.72);
    expect(m.modulo, JSON.stringify(m)).toBeLessThan(0.78);
  });

  it('moves less as there are more workers under rendezvous, more under hash % N', () => {
    const shares = [2, 8, 32].map((n) => movedShares(n, ADDRESSES.slice(0, 4000)));
    expect(shares.map((s) => s.rendezvous < 1.3 * s.expectedRendezvous)).toEqual([true, true, true]);
    expect(shares[0]!.rendezvous).toBeGreaterThan(shares[2]!.rendezvous);
    expect(shares[2]!.modulo).toBeGreaterThan(0.9);
  });
});
