// Renders the comparison's HTML report in headless Chromium (Playwright
// driving Debian's chromium) and checks in the DOM that the charts really
// paint: every chart laid out, both implementations' bars filled in their
// colours with a visible size, and nothing fetched from outside the file.
// Skips, saying why, where /usr/bin/chromium is absent (apt-get install chromium).
// Mirrors: nothing — teaching aid
// Read next: scripts/compare/html.ts, test/helpers/chromium.ts

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { COLORS, renderHtml } from '../../scripts/compare/html.ts';
import { summarise } from '../../scripts/compare/summary.ts';
import { plausibleRecords } from './fixtures.ts';
import { noChromium, openFile, startChromium, type Chromium } from '../helpers/chromium.ts';

const meta = { title: 'render check', lines: ['synthetic figures'], notes: ['a note'] };

/** '#1f77b4' => 'rgb(31, 119, 180)', as getComputedStyle reports a fill. */
function rgb(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${n >> 16}, ${(n >> 8) & 255}, ${n & 255})`;
}

describe('the HTML report', () => {
  const html = renderHtml(summarise(plausibleRecords()), meta);
  let chrome: Chromium | undefined;
  let dir: string | undefined;
  afterAll(async () => {
    await chrome?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is self-contained: inline SVG, no script, no external resource', () => {
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(5 + 12);
    expect(html).not.toMatch(/<script|<link |src=|href="http/);
  });

  it('defines the columns before the figures, explains the targets after them, and ends with what the run shows', () => {
    const at = (text: string) => html.indexOf(text);
    for (const label of ['Jain', 'max/min', 'busiest', 'wakeups/conn', 'primary µs/conn']) expect(html).toContain(`<dt>${label}</dt><dd>`);
    expect(at('What the columns mean')).toBeLessThan(at('<svg '));
    expect(at("Targets: mini-cluster's own goals against node:cluster")).toBeGreaterThan(at('Ratios of medians'));
    expect(html).toContain("mini-cluster serves at least 95 % of node:cluster's keep-alive requests per second under round robin");
    expect(at('What this run shows')).toBeGreaterThan(at('Memory as connections are served'));
    expect(html).toContain('lessons/13-rr-vs-none/README.md');
  });

  it('paints every chart in headless Chromium', async (ctx) => {
    ctx.skip(noChromium !== null, noChromium ?? '');
    dir = mkdtempSync(join(tmpdir(), 'compare-html-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    chrome = await startChromium();
    const { page, requests, errors } = await openFile(chrome.browser, file, { width: 1280, height: 3000 });

    // Every chart is laid out with the size it asks for.
    const charts = await page.$$eval('svg.chart', (svgs) => svgs.map((svg) => {
      const box = svg.getBoundingClientRect();
      return { width: Math.round(box.width), height: Math.round(box.height), asked: Number(svg.getAttribute('width')) };
    }));
    expect(charts.length).toBe(html.match(/<svg /g)!.length);
    for (const chart of charts) {
      expect(chart.width).toBeGreaterThanOrEqual(chart.asked); // its width, plus a border
      expect(chart.height).toBeGreaterThan(100);
    }

    // The bars of each implementation: filled in its colour, with an area you can see.
    const bars = await page.$$eval('rect.bar', (rects) => rects.map((rect) => {
      const box = rect.getBoundingClientRect();
      return { fill: getComputedStyle(rect).fill, area: box.width * box.height };
    }));
    for (const impl of ['mini-cluster', 'node:cluster'] as const) {
      const mine = bars.filter((b) => b.fill === rgb(COLORS[impl]));
      const painted = mine.filter((b) => b.area > 0);
      const area = painted.reduce((sum, b) => sum + b.area, 0);
      // 17 charts with bars in each colour: a bar in most of them, thousands of px² in all, not a stray swatch.
      expect(painted.length, `${impl}: ${painted.length} painted bars of ${mine.length}`).toBeGreaterThanOrEqual(17);
      expect(area, `${impl}: ${Math.round(area)} px² of bars`).toBeGreaterThan(20_000);
    }

    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
  }, 60_000);
});
