/**
 * The trace page in headless Chromium, on a real trace: lesson 07 and a
 * four-worker rotation appending to one file at the same time (two runs,
 * interleaved). The page must come from file:// alone, draw a lane per
 * process and an arrow per message, and after every → show the queues the
 * trace itself holds at that step. Takes the screenshot the READMEs show.
 * Skips, saying why, where /usr/bin/chromium is absent.
 *
 * Mirrors: nothing — teaching aid
 * Read next: scripts/trace-render/page.ts, test/helpers/chromium.ts
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPage } from '../../scripts/trace-render/html.ts';
import { modelFromText } from '../../scripts/trace-render/model.ts';
import type { TraceEvent } from '../../src/trace-format.ts';
import { runLesson, ROOT } from '../../lessons/_lib/run-lesson.ts';
import { noChromium, openFile, startChromium, type Chromium } from '../helpers/chromium.ts';
import { runScenario } from '../helpers/run-scenario.ts';

/** The screenshot README.md and lessons/README.md show; rewritten when missing or with MINI_CLUSTER_SCREENSHOT=1. */
const SCREENSHOT = path.join(ROOT, 'docs/images/trace-page.png');

interface Queues { key: string; free: string[]; handles: number; inflight: string[]; all: string[] }

/**
 * The queues after the n-th line of a run, worked out from the raw lines
 * here, not by the model under test: the last state line of each key so far.
 */
function queuesAfter(events: TraceEvent[], run: string, n: number): Queues[] {
  const lines = events.filter((e) => e.run === run).map((e, i) => ({ e, i })).sort((a, b) => a.e.t - b.e.t || a.i - b.i).map(({ e }) => e);
  const byKey = new Map<string, Queues>();
  for (const e of lines.slice(0, n)) {
    if (e.kind !== 'state' || !e.state) continue;
    const { key, free, handles, inflight, all } = e.state;
    byKey.set(key, { key, free, handles, inflight, all });
  }
  return [...byKey.values()];
}

/** The state panel, read back from the DOM. */
function panel(page: Page): Promise<Queues[]> {
  return page.$$eval('#listeners section.listener', (boxes) => boxes.map((box) => {
    const names = (cls: string): string[] => [...box.querySelectorAll(`dd.${cls} .chip`)].map((chip) => chip.textContent ?? '');
    return {
      key: (box as HTMLElement).dataset.key ?? '',
      free: names('free'),
      handles: Number((box.querySelector('dd.handles') as HTMLElement).dataset.count),
      inflight: names('inflight'),
      all: names('all'),
    };
  }));
}

const position = (page: Page): Promise<string | null> => page.textContent('#position');

describe.skipIf(noChromium !== null)('the trace page in Chromium', () => {
  let dir: string;
  let html: string;
  let text: string;
  let events: TraceEvent[];
  let runs: string[]; // run ids in order of start
  let lesson: number; // which of them is lesson 07's (1 or 2): the one with three workers
  let rotation: number; // and which the four-worker rotation's
  const runLength = (n: number): number => events.filter((e) => e.run === runs[n - 1]).length;
  let chrome: Chromium;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'trace-page-'));
    const trace = path.join(dir, 'trace.jsonl');
    // Both primaries append to one file at once: their lines interleave in it.
    const [run] = await Promise.all([
      runLesson(7, [], { env: { MINI_CLUSTER_TRACE: trace, TMPDIR: dir } }),
      runScenario('rotation', 'mini', 'rr', { env: { MINI_CLUSTER_TRACE: trace } }),
    ]);
    expect(run.code, run.stderr).toBe(0);
    text = readFileSync(trace, 'utf8');
    events = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as TraceEvent);
    const starts = new Map<string, number>();
    for (const e of events) starts.set(e.run!, Number(e.run!.split('-')[1]));
    runs = [...starts].sort((a, b) => a[1] - b[1]).map(([id]) => id);
    rotation = 1 + runs.findIndex((id) => events.some((e) => e.run === id && e.from === 'w4'));
    lesson = 3 - rotation;
    html = path.join(dir, 'trace.html');
    writeFileSync(html, renderPage(text, { source: 'lesson 07 and the rotation scenario, appending to one file at once' }));
    chrome = await startChromium();
  }, 60_000);

  afterAll(async () => {
    await chrome?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is one file that asks for nothing outside itself', async () => {
    const page = readFileSync(html, 'utf8');
    expect(page).not.toMatch(/<link |<img |<iframe | src=|url\(|@import/);
    const { page: tab, requests, errors } = await openFile(chrome.browser, html);
    await tab.waitForSelector('body[data-ready="true"]');
    await tab.keyboard.press('End');
    await tab.keyboard.press('Home');
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(html).href]);
    await tab.context().close();
  });

  it('shows the two runs apart, on tabs in the order they started, though their lines interleave in the file', async () => {
    expect(runs).toHaveLength(2);
    const fileOrder = events.map((e) => e.run);
    expect(fileOrder.findIndex((r) => r === runs[1]), 'the runs overlap in the file').toBeLessThan(fileOrder.lastIndexOf(runs[0]));
    const { page } = await openFile(chrome.browser, html);
    await page.waitForSelector('body[data-ready="true"]');
    const tabs = await page.$$eval('#runs button', (buttons) => buttons.map((b) => b.textContent));
    expect(tabs).toEqual(runs.map((id, i) =>
      expect.stringMatching(new RegExp(`^run ${i + 1} of 2 · primary pid ${id.split('-')[0]} · ${events.filter((e) => e.run === id).length} lines`))));
    await page.click('#runs button[data-run="2"]');
    expect(await position(page)).toBe(`step 1 of ${runLength(2)}`);
    expect(new URL(page.url()).hash).toBe('#run=2&step=1');
    await page.context().close();
  });

  it('draws a lane for the primary and each worker, and one arrow per internal message', async () => {
    const model = modelFromText(text);
    const { page } = await openFile(chrome.browser, html, { hash: `#run=${rotation}&step=1` });
    await page.waitForSelector('body[data-ready="true"]');
    const lanes = await page.$$eval('#lane-head .lane', (heads) => heads.map((h) => (h as HTMLElement).dataset.lane));
    expect(lanes).toEqual(['primary', 'w1', 'w2', 'w3', 'w4']);
    const rows = await page.$$eval('#rows .row', (list) => list.map((row) => ({
      index: Number((row as HTMLElement).dataset.index),
      arrow: row.querySelector('.arrow .label')?.textContent ?? null,
      marker: row.querySelector('.marker')?.textContent ?? null,
    })));
    expect(rows.length, 'only the rows in view, and a few around, are in the page').toBeLessThan(80);
    const steps = model.runs[rotation - 1].steps;
    for (const row of rows) {
      const step = steps[row.index];
      expect(row.arrow, `row ${row.index}: ${step.line}`).toBe(step.arrow ? step.label : null);
      expect(row.marker, `row ${row.index}: ${step.line}`).toBe(step.marker?.label ?? null);
    }
    const labels = rows.map((r) => r.arrow).filter(Boolean);
    expect(labels).toContainEqual(expect.stringMatching(/^queryServer seq=1$/));
    expect(labels).toContainEqual(expect.stringMatching(/^newconn seq=\d+ \+handle$/));
    expect(rows.map((r) => r.marker)).toContain('online');
    await page.context().close();
  });

  it('shows after every → the queues of every listener as the trace holds them after that step', async () => {
    const { page } = await openFile(chrome.browser, html, { hash: `#run=${lesson}&step=1` });
    await page.waitForSelector('body[data-ready="true"]');
    const length = runLength(lesson);
    expect(await panel(page)).toEqual(queuesAfter(events, runs[lesson - 1], 1));
    let sawWaiting = false;
    for (let n = 2; n <= length; n++) {
      await page.keyboard.press('ArrowRight');
      expect(await position(page)).toBe(`step ${n} of ${length}`);
      const shown = await panel(page);
      expect(shown, `after step ${n}`).toEqual(queuesAfter(events, runs[lesson - 1], n));
      sawWaiting ||= shown.some((l) => l.handles > 0);
    }
    expect(sawWaiting, "lesson 07's client C waits in handles at some step").toBe(true);
    await page.keyboard.press('ArrowRight'); // past the end: stays on the last step
    expect(await position(page)).toBe(`step ${length} of ${length}`);
    await page.context().close();
  }, 60_000);

  it('keeps the step in the address and opens at the step the address names', async () => {
    const { page } = await openFile(chrome.browser, html);
    await page.waitForSelector('body[data-ready="true"]');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    expect(new URL(page.url()).hash).toBe('#run=1&step=4');
    await page.context().close();

    const { page: linked } = await openFile(chrome.browser, html, { hash: '#run=2&step=12' });
    await linked.waitForSelector('body[data-ready="true"]');
    expect(await position(linked)).toBe(`step 12 of ${runLength(2)}`);
    expect(await linked.getAttribute('#rows .row.selected', 'data-index')).toBe('11');
    expect(await panel(linked)).toEqual(queuesAfter(events, runs[1], 12));
    await linked.keyboard.press('ArrowLeft');
    expect(new URL(linked.url()).hash).toBe('#run=2&step=11');
    await linked.context().close();
  });

  it('jumps with Home and End, selects the line clicked, and plays and pauses with space', async () => {
    const { page } = await openFile(chrome.browser, html);
    await page.waitForSelector('body[data-ready="true"]');
    const length = runLength(1);
    await page.keyboard.press('End');
    expect(await position(page)).toBe(`step ${length} of ${length}`);
    await page.keyboard.press('Home');
    expect(await position(page)).toBe(`step 1 of ${length}`);
    await page.click('#rows .row[data-index="4"]');
    expect(await position(page)).toBe(`step 5 of ${length}`);
    await page.keyboard.press(' ');
    await page.waitForFunction(() => /^step (7|8|9) /.test(document.getElementById('position')!.textContent ?? ''), null, { timeout: 5_000 });
    await page.keyboard.press(' ');
    const paused = await position(page);
    await page.waitForTimeout(1_300); // two steps' worth of playing
    expect(await position(page)).toBe(paused);
    await page.context().close();
  });

  it("takes the screenshot the READMEs show: lesson 07's first newconn to a real worker, in flight", async () => {
    const model = modelFromText(text);
    const handoff = model.runs[lesson - 1].steps.find((s) => s.label.startsWith('newconn'))!;
    const { page } = await openFile(chrome.browser, html, { hash: `#run=${lesson}&step=${handoff.n}`, width: 1280, height: 680 });
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.$$eval('#listeners dd.inflight .chip', (chips) => chips.map((c) => c.textContent))).toEqual([handoff.arrow!.to]);
    const shot = path.join(dir, 'trace-page.png');
    await page.screenshot({ path: shot });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    if (!existsSync(SCREENSHOT) || process.env.MINI_CLUSTER_SCREENSHOT === '1') {
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      copyFileSync(shot, SCREENSHOT);
    }
    await page.context().close();
  });
});
