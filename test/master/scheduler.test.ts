/**
 * Specifies the schedulers (src/master/scheduler.ts) as pure choices over
 * candidates: no handles, no processes. How ScheduledHandle uses them is in
 * scheduled-handle.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkScheduler, createScheduler, type Candidate, type Scheduler } from '../../src/master/scheduler.ts';
import { Worker } from '../../src/worker.ts';

const workers = Array.from({ length: 8 }, (_, i) => new Worker({ id: i + 1 }));
const candidate = (id: number, open = 0, pending = 0, idle = true): Candidate => ({ worker: workers[id - 1]!, open, pending, idle });
const picked = (scheduler: Scheduler, candidates: Candidate[], remoteAddress?: string): number => scheduler.pick(candidates, { remoteAddress }).worker.id;

afterEach(() => vi.restoreAllMocks());

describe('createScheduler', () => {
  it('gives no scheduler for round robin, so Node\'s own code path runs', () => {
    expect(createScheduler(undefined)).toBeNull();
    expect(createScheduler('round-robin')).toBeNull();
  });

  it('refuses an unknown name with an error that lists the known ones', () => {
    expect(() => checkScheduler('least-conn')).toThrow(/one of 'round-robin', 'least-connections', 'power-of-two', 'source-hash' or a function/);
    expect(checkScheduler('source-hash')).toBe('source-hash');
  });
});

describe('least-connections', () => {
  const scheduler = createScheduler('least-connections')!;

  it('picks the worker with the fewest open and pending connections', () => {
    expect(picked(scheduler, [candidate(1, 3), candidate(2, 1, 1), candidate(3, 1), candidate(4, 2)])).toBe(3);
  });

  it('breaks ties in the order given, which is round-robin order', () => {
    expect(picked(scheduler, [candidate(4, 1), candidate(2, 1), candidate(3, 2)])).toBe(4);
  });

  it('says whom it chose over whom, for the trace', () => {
    expect(scheduler.pick([candidate(1, 3), candidate(3, 2)], {}).why).toBe('w3 (2 open) over w1 (3)');
  });
});

describe('power-of-two', () => {
  const scheduler = createScheduler('power-of-two')!;

  it('draws two different candidates and keeps the less loaded', () => {
    // Math.random: first draw index 0 (w1, 5 open), second draw index 0 of the others (w2, 1 open).
    vi.spyOn(Math, 'random').mockReturnValueOnce(0).mockReturnValueOnce(0);
    expect(picked(scheduler, [candidate(1, 5), candidate(2, 1), candidate(3, 0)])).toBe(2);
  });

  it('never draws the same candidate twice', () => {
    for (let i = 0; i < 200; i++) {
      const id = picked(scheduler, [candidate(1, 9), candidate(2, 0)]);
      expect(id).toBe(2); // w2 is less loaded and always one of the two drawn
    }
  });

  it('takes the only candidate when there is one', () => {
    expect(picked(scheduler, [candidate(7, 3)])).toBe(7);
  });
});

describe('source-hash', () => {
  const addresses = Array.from({ length: 2000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}`);
  const four = [1, 2, 3, 4].map((id) => candidate(id));

  it('sends one address to one worker every time while the workers stay the same', () => {
    const scheduler = createScheduler('source-hash')!;
    for (const address of addresses.slice(0, 200)) {
      expect(picked(scheduler, four, address)).toBe(picked(scheduler, [...four].reverse(), address));
    }
  });

  it('moves only the addresses of a worker that leaves: about a quarter of 4 workers', () => {
    const scheduler = createScheduler('source-hash')!;
    const before = addresses.map((a) => picked(scheduler, four, a));
    const after = addresses.map((a) => picked(scheduler, four.filter((c) => c.worker.id !== 3), a));
    const moved = addresses.filter((_, i) => before[i] !== after[i]);
    // Every address that moved was on w3, and every address on w3 moved.
    expect(addresses.filter((_, i) => before[i] === 3)).toEqual(moved);
    expect(moved.length / addresses.length, `${moved.length} of ${addresses.length} moved`).toBeGreaterThan(0.2);
    expect(moved.length / addresses.length).toBeLessThan(0.3);
  });

  it('warns once when every connection comes from one address (a proxy in front)', () => {
    const scheduler = createScheduler('source-hash')!;
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    for (let i = 0; i < 250; i++) picked(scheduler, four, '127.0.0.1');
    expect(warn).toHaveBeenCalledOnce();
    expect(String(warn.mock.calls[0]![0])).toMatch(/all came from 127\.0\.0\.1/);
  });
});

describe('a scheduler function', () => {
  it('chooses the worker it returns, seeing counts and the connection', () => {
    const seen: unknown[] = [];
    const scheduler = createScheduler(function busiestLast(candidates, connection) {
      seen.push(connection.remoteAddress, candidates.map((c) => c.open));
      return candidates.at(-1)!.worker;
    })!;
    expect(picked(scheduler, [candidate(1, 2), candidate(2, 5)], '10.0.0.9')).toBe(2);
    expect(seen).toEqual(['10.0.0.9', [2, 5]]);
    expect(scheduler.pick([candidate(1), candidate(2)], {}).why).toBe('w2 (busiestLast)');
  });

  it('falls back to round robin, and says so, when it throws', () => {
    const scheduler = createScheduler(() => {
      throw new Error('no data yet');
    })!;
    const choice = scheduler.pick([candidate(3), candidate(1)], {});
    expect(choice.worker.id).toBe(3);
    expect(choice.fallback).toBe('it threw no data yet');
  });

  it('falls back to round robin when it returns something that is not a candidate', () => {
    const scheduler = createScheduler(() => workers[7]!)!; // w8: not on this listener
    const choice = scheduler.pick([candidate(2), candidate(1)], {});
    expect(choice.worker.id).toBe(2);
    expect(choice.fallback).toBe('it returned no candidate');
  });
});
