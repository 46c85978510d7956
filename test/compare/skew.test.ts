// Specs for the skewed workload's mix (scripts/compare/skew.ts): which
// request of a worker is the slow one.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/skew.ts

import { describe, expect, it } from 'vitest';
import { skewedWork } from '../../scripts/compare/skew.ts';

describe('skewedWork', () => {
  it('makes every 20th /skew/<n> request 50 times the work: 5 % of them, at fixed places', () => {
    const workFor = skewedWork(0);
    const asked = Array.from({ length: 100 }, () => workFor('/skew/1000'));
    expect(asked.filter((n) => n === 50_000)).toHaveLength(5);
    expect(asked.filter((n) => n === 1000)).toHaveLength(95);
    expect(asked.map((n, i) => (n === 50_000 ? i + 1 : 0)).filter(Boolean)).toEqual([20, 40, 60, 80, 100]);
  });

  it('gives every other path the worker\'s own work, without counting it', () => {
    const workFor = skewedWork(7);
    for (let i = 0; i < 19; i++) workFor('/skew/10');
    expect([workFor('/'), workFor(undefined), workFor('/other')]).toEqual([7, 7, 7]);
    expect(workFor('/skew/10')).toBe(500); // the 20th skewed request, however many others came between
  });
});
