// Specs for the terminal view: number formats, column layout, bars, and the
// sections a reader looks for.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/table.ts

import { describe, expect, it } from 'vitest';
import { summarise } from '../../scripts/compare/summary.ts';
import { bar, formatFigure, renderBars, renderFindings, renderSummary, renderTable } from '../../scripts/compare/table.ts';
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

  it('has the meaning of the columns, a table per workload, the ratios, the targets and the memory trend', () => {
    for (const heading of ['what the columns mean', 'keepalive:', 'churn:', 'trickle:', 'ratios of medians', "targets: mini-cluster's own goals against node:cluster", 'memory as connections are served']) {
      expect(text).toContain(heading);
    }
  });

  it('defines Jain, max/min, busiest, wakeups/conn and primary µs/conn before the first table', () => {
    const legend = text.slice(0, text.indexOf('keepalive:'));
    for (const label of ['Jain', 'max/min', 'busiest', 'wakeups/conn', 'primary µs/conn']) {
      expect(legend.split('\n').some((line) => line.startsWith(`  ${label} `) && line.trim().length > label.length + 20), label).toBe(true);
    }
  });

  it('says whose goals the targets are, and what each one asks, under its verdict', () => {
    const targets = text.slice(text.indexOf('targets:'));
    expect(targets).toContain("The project's goals for itself (not Node's)");
    expect(targets).toMatch(/ {2}met {17}keepalive requests\/s, mini ÷ node, rr: 1\.020 \(target ≥ 0\.95; single rounds 1\.02–1\.02\)\n {22}mini-cluster serves at least 95 % of node:cluster's keep-alive requests per second under round robin/);
  });

  it('marks a verdict that a single round contradicts as not settled', () => {
    // mini-cluster slow under churn rr in two of three rounds: missed by the median, met by round 1.
    const records = plausibleRecords().map((r) => (r.round > 1 && r.impl === 'mini-cluster' && r.workload === 'churn' && r.policy === 'rr' ? { ...r, connectionsPerSec: r.connectionsPerSec / 2 } : r));
    expect(renderSummary(summarise(records))).toMatch(/ {2}missed, not settled churn connections\/s, mini ÷ node, rr: 0\.510/);
    // Slow in round 2 only: met by the median, missed by that round.
    const once = plausibleRecords().map((r) => (r.round === 2 && r.impl === 'mini-cluster' && r.workload === 'churn' && r.policy === 'rr' ? { ...r, connectionsPerSec: r.connectionsPerSec / 2 } : r));
    expect(renderSummary(summarise(once))).toMatch(/ {2}met, not settled {4}churn connections\/s, mini ÷ node, rr: 1\.020/);
  });

  it('says in its first line when fewer rounds ran than were asked for', () => {
    const first = (t: string) => t.split('\n').find((line) => line.trim() !== '');
    expect(first(renderSummary(summarise(plausibleRecords(1)), { roundsAsked: 2, budgetSec: 28 })))
      .toBe('results: medians over 1 round (2 were asked for; only 1 fitted in the 28 s budget, so each figure is a single run)');
    expect(first(renderSummary(summarise(plausibleRecords(3)), { roundsAsked: 3, budgetSec: 88 }))).toBe('results: medians over 3 rounds');
  });

  it('ends with what the run shows, in sentences, and lesson 13', () => {
    const end = renderFindings(summarise(plausibleRecords()));
    expect(end.trim().split('\n')[0]).toBe('what this run shows');
    expect(end).toContain('lessons/13-rr-vs-none/README.md');
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
