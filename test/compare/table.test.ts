// Specs for the terminal view: number formats, column layout, bars, and the
// sections a reader looks for.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/table.ts

import { describe, expect, it } from 'vitest';
import { summarise } from '../../scripts/compare/summary.ts';
import { bar, formatFigure, renderBars, renderSummary, renderTable } from '../../scripts/compare/table.ts';
import { plausibleRecords } from './fixtures.ts';

describe('formatFigure', () => {
  it('writes rates as whole numbers with thousands separators', () => {
    expect(formatFigure('requestsPerSec', 48123.7)).toBe('48,124');
  });

  it('writes a dash for a missing figure and ∞ for a worker that served nothing', () => {
    expect(formatFigure('wakeupsPerConnection', null)).toBe('–');
    expect(formatFigure('maxOverMin', Infinity)).toBe('∞');
  });
});

describe('renderTable', () => {
  it('left-aligns the label columns and right-aligns the numbers under a rule', () => {
    const text = renderTable(['set-up', 'conn/s'], [['node rr', '4,000'], ['mini-cluster none', '12']]);
    expect(text.split('\n')).toEqual([
      'set-up             conn/s',
      '─────────────────  ──────',
      'node rr             4,000',
      'mini-cluster none      12',
    ]);
  });
});

describe('bar', () => {
  it('is as wide as asked for the largest value and proportionally shorter for others', () => {
    expect(bar(10, 10, 8)).toBe('████████');
    expect(bar(5, 10, 8)).toBe('████');
  });

  it('uses eighth blocks for the remainder and draws nothing for zero', () => {
    // 3/16 of 2 cells is 3 eighths; 9/16 of 2 cells is one full cell and one eighth.
    expect(bar(3, 16, 2)).toBe('▍');
    expect(bar(9, 16, 2)).toBe('█▏');
    expect(bar(0, 10)).toBe('');
  });
});

describe('renderSummary', () => {
  const text = renderSummary(summarise(plausibleRecords()));

  it('has a table per workload, the ratios, the targets and the memory trend', () => {
    for (const heading of ['keepalive:', 'churn:', 'trickle:', 'ratios of medians', 'targets (issue 3)', 'memory as connections are served']) {
      expect(text).toContain(heading);
    }
  });

  it('shows every set-up in every workload table', () => {
    for (const setUp of ['mini-cluster rr', 'node:cluster rr', 'mini-cluster none', 'node:cluster none']) {
      expect(text.split('\n').filter((line) => line.startsWith(setUp))).toHaveLength(3);
    }
  });

  it('prints the ratio of medians for churn connections/s', () => {
    expect(text).toMatch(/churn\s+conn\/s\s+1\.02\s+1\.02\s+0\.67\s+0\.67/);
  });
});

describe('renderBars', () => {
  it('draws one bar per worker with its count, on a scale shared by the set-ups of a workload', () => {
    const text = renderBars(summarise(plausibleRecords(1)).cells.filter((c) => c.workload === 'trickle'));
    const lines = text.split('\n').filter((line) => / w\d /.test(line));
    expect(lines).toHaveLength(16);
    // SCHED_NONE's busiest worker (170) gets the full 40 cells; round robin's 100 get 23.5.
    expect(lines.find((l) => l.trimEnd().endsWith(' 170'))).toContain('█'.repeat(40));
    expect(lines.find((l) => l.startsWith('  mini-cluster rr'))).toContain('█'.repeat(23) + '▌');
  });
});
