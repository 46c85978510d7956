// Renders the HTML report in headless Chromium and checks that the charts
// really paint: the screenshot must contain both implementations' bar colours.
// Skips, saying why, where /usr/bin/chromium is absent (apt-get install chromium).
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/html.ts, test/compare/png.ts

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { COLORS, renderHtml } from '../../scripts/compare/html.ts';
import { summarise } from '../../scripts/compare/summary.ts';
import { plausibleRecords } from './fixtures.ts';
import { countColour, decodePng } from './png.ts';

const CHROMIUM = '/usr/bin/chromium';
const meta = { title: 'render check', lines: ['synthetic figures'], notes: ['a note'] };

/** Runs Chromium in its own process group, and kills that group by its id on timeout. */
function screenshot(htmlFile: string, pngFile: string, timeoutMs = 25_000): Promise<void> {
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--window-size=1280,3000', `--screenshot=${pngFile}`, pathToFileURL(htmlFile).href];
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const killGroup = () => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } };
    const timer = setTimeout(() => { killGroup(); reject(new Error(`chromium did not finish in ${timeoutMs} ms`)); }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      killGroup(); // helpers (zygote, renderer) that outlived the browser
      if (code === 0 && existsSync(pngFile)) resolve();
      else reject(new Error(`chromium exited with ${code}: ${stderr.slice(-500)}`));
    });
  });
}

describe('the HTML report', () => {
  const html = renderHtml(summarise(plausibleRecords()), meta);

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
    ctx.skip(!existsSync(CHROMIUM), `${CHROMIUM} not found: install Debian's chromium to run this check`);
    const dir = mkdtempSync(join(tmpdir(), 'compare-html-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'report.html'), html);

    await screenshot(join(dir, 'report.html'), join(dir, 'report.png'));

    const image = decodePng(readFileSync(join(dir, 'report.png')));
    expect(image.width).toBe(1280);
    // 17 charts of bars in each colour: thousands of pixels each, not a stray swatch.
    const mini = countColour(image, COLORS['mini-cluster']);
    const node = countColour(image, COLORS['node:cluster']);
    expect(mini, `mini-cluster pixels: ${mini}`).toBeGreaterThan(20_000);
    expect(node, `node:cluster pixels: ${node}`).toBeGreaterThan(20_000);
  }, 40_000);
});
