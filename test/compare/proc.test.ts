// Specs for reading voluntary context switches from /proc/<pid>/status.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/proc.ts

import { describe, expect, it } from 'vitest';
import { parseVoluntaryCtxtSwitches, procAvailable, voluntaryCtxtSwitches } from '../../scripts/compare/proc.ts';

// An excerpt of a real status file, trimmed.
const STATUS = `Name:\tnode
State:\tS (sleeping)
Pid:\t4242
Threads:\t7
voluntary_ctxt_switches:\t1539
nonvoluntary_ctxt_switches:\t87
`;

describe('parseVoluntaryCtxtSwitches', () => {
  it('reads the voluntary count and not the nonvoluntary one', () => {
    expect(parseVoluntaryCtxtSwitches(STATUS)).toBe(1539);
  });

  it('has no value when the line is missing', () => {
    expect(parseVoluntaryCtxtSwitches('Name:\tnode\n')).toBeNull();
  });
});

describe('voluntaryCtxtSwitches', () => {
  it('grows when this process sleeps and is woken', async (ctx) => {
    ctx.skip(!procAvailable(), '/proc is not available on this system');
    const before = voluntaryCtxtSwitches(process.pid)!;
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(voluntaryCtxtSwitches(process.pid)!).toBeGreaterThan(before);
  });

  it('has no value for a process that does not exist', () => {
    expect(voluntaryCtxtSwitches(2 ** 22 + 1)).toBeNull();
  });
});
