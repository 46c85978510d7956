/**
 * A 10,000-line trace stays usable: the page renders quickly, keeps only the
 * rows in view in the DOM, steps without stalling, and End lands on the last
 * line with the right queues. The trace is generated (four lines per
 * round-robin connection, as a real run writes them), so its size is exact.
 * Skips, saying why, where /usr/bin/chromium is absent.
 *
 * Mirrors: nothing — teaching aid
 * Read next: test/trace-view/page.test.ts (the same page on a real trace)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPage } from '../../scripts/trace-render/html.ts';
import type { TraceEvent } from '../../src/trace-format.ts';
import { noChromium, openFile, startChromium, type Chromium } from '../helpers/chromium.ts';

const LINES = 10_000;
const KEY = '127.0.0.1:0:4:undefined:0';
const RUN = '4242-1700000000000';

/** `count` lines: four workers join, then connection after connection is handed round. */
function bigTrace(count: number): TraceEvent[] {
  const workers = ['w1', 'w2', 'w3', 'w4'];
  const lines: TraceEvent[] = [];
  let t = 0;
  const state = (free: string[], inflight: string[]): TraceEvent =>
    ({ t: (t += 0.1), pid: 4242, run: RUN, kind: 'state', state: { key: KEY, free, handles: 0, inflight, all: workers } });
  for (const [i, w] of workers.entries()) {
    lines.push({ t: (t += 0.1), pid: 4242, run: RUN, kind: 'message', from: w, to: 'primary', act: 'online', seq: 0, handle: false, fields: {}, decision: "state=online, emit 'online'" });
    lines.push(state(workers.slice(0, i + 1), []));
  }
  let seq = 0;
  for (let c = 0; lines.length < count; c++) {
    const w = workers[c % 4];
    const others = workers.filter((x) => x !== w);
    lines.push(state(others, [w]));
    lines.push({ t: (t += 0.1), pid: 5000 + (c % 4), run: RUN, kind: 'message', from: 'primary', to: w, act: 'newconn', seq, key: KEY, handle: true, fields: {}, decision: "accepted: emit 'connection'" });
    lines.push({ t: (t += 0.1), pid: 4242, run: RUN, kind: 'message', from: w, to: 'primary', seq: c, ack: seq++, handle: false, fields: { accepted: true }, decision: 'accepted: primary closes its copy' });
    lines.push(state([...others, w], []));
  }
  return lines.slice(0, count);
}

describe.skipIf(noChromium !== null)(`a ${LINES.toLocaleString('en-US')}-line trace in Chromium`, () => {
  let dir: string;
  let html: string;
  let renderMs: number;
  let pageBytes: number;
  let chrome: Chromium;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'trace-large-'));
    const jsonl = bigTrace(LINES).map((e) => JSON.stringify(e)).join('\n');
    const start = performance.now();
    const page = renderPage(jsonl, { source: 'generated' });
    renderMs = performance.now() - start;
    pageBytes = Buffer.byteLength(page);
    html = path.join(dir, 'large.html');
    writeFileSync(html, page);
    chrome = await startChromium();
  }, 60_000);

  afterAll(async () => {
    await chrome?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('renders to a page in well under a few seconds', () => {
    console.log(`render ${LINES} lines: ${renderMs.toFixed(0)} ms, a page of ${(pageBytes / 1e6).toFixed(2)} MB`);
    expect(renderMs).toBeLessThan(5_000);
  });

  it('opens, scrolls and steps without stalling, with only the rows in view in the DOM', async () => {
    const start = performance.now();
    const { page, errors } = await openFile(chrome.browser, html);
    await page.waitForSelector('body[data-ready="true"]');
    const loadMs = performance.now() - start;
    expect(await page.textContent('#position')).toBe(`step 1 of ${LINES}`);
    expect(await page.locator('#rows .row').count()).toBeLessThan(80);

    // Stepping: each → updates the row, the panel and the address before the next press.
    const presses = 200;
    const stepStart = performance.now();
    for (let i = 0; i < presses; i++) await page.keyboard.press('ArrowRight');
    const perStepMs = (performance.now() - stepStart) / presses;
    expect(await page.textContent('#position')).toBe(`step ${presses + 1} of ${LINES}`);

    // Inside the page, without Playwright's round trip: the work one step does.
    const inPageMs = await page.evaluate(() => {
      const n = 500;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }));
      return (performance.now() - t0) / n;
    });

    // Scrolling to the middle draws the rows there, and only those.
    await page.evaluate(() => (document.getElementById('scroller')!.scrollTop = 5_000 * 24));
    await page.waitForSelector('#rows .row[data-index="5000"]');
    expect(await page.locator('#rows .row').count()).toBeLessThan(80);

    const endStart = performance.now();
    await page.keyboard.press('End');
    const endMs = performance.now() - endStart;
    expect(await page.textContent('#position')).toBe(`step ${LINES} of ${LINES}`);
    expect(await page.getAttribute('#rows .row.selected', 'data-index')).toBe(String(LINES - 1));
    expect(await page.locator('#listeners dd.free .chip').count()).toBe(4); // the last line puts the worker back in free
    expect(new URL(page.url()).hash).toBe(`#step=${LINES}`);
    expect(errors).toEqual([]);

    console.log(`load ${loadMs.toFixed(0)} ms; → via Playwright ${perStepMs.toFixed(1)} ms/step; in page ${inPageMs.toFixed(2)} ms/step; End ${endMs.toFixed(0)} ms`);
    // Generous bounds: the machine is shared; a stall would be seconds.
    expect(loadMs).toBeLessThan(10_000);
    expect(perStepMs).toBeLessThan(150);
    expect(inPageMs).toBeLessThan(50);
    expect(endMs).toBeLessThan(1_000);
    await page.context().close();
  }, 60_000);
});
