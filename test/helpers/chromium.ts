/**
 * Headless Chromium for the page specs, through Playwright (playwright-core
 * driving Debian's /usr/bin/chromium): start it, open a file:// page with
 * every request recorded and anything but file: refused, and stop it by its
 * process group id, whatever happened.
 *
 *   startChromium() => launchServer (its own process group) => connect => openFile(page.html)
 *   stop() => close; then SIGKILL the group by id if anything of it is left
 *
 * Mirrors: nothing — teaching aid
 * Read next: test/trace-view/page.test.ts, test/compare/html-render.test.ts
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why a page spec must skip here, or null when Chromium is installed. */
export const noChromium: string | null = existsSync(CHROMIUM) ? null : `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the page specs`;

// As root, in a sandboxed CI with no network: no sandbox, no GPU, nothing that phones home.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface Chromium { browser: Browser; stop(): Promise<void> }

export async function startChromium(): Promise<Chromium> {
  const server = await chromium.launchServer({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
  const pid = server.process().pid!;
  const browser = await chromium.connect(server.wsEndpoint());
  return {
    browser,
    async stop() {
      await browser.close().catch(() => {});
      await server.close().catch(() => {});
      try {
        process.kill(-pid, 'SIGKILL'); // the browser's helpers (zygote, renderers) share its group
      } catch {
        // ESRCH: the group is gone already.
      }
    },
  };
}

export interface OpenedPage {
  page: Page;
  /** Every URL the page asked for, its own file included. */
  requests: string[];
  /** Script errors the page threw. */
  errors: string[];
}

/** Open `file` (plus `hash`) from file://; requests for anything but file: are recorded and refused. */
export async function openFile(browser: Browser, file: string, options: { hash?: string; width?: number; height?: number } = {}): Promise<OpenedPage> {
  const { hash = '', width = 1400, height = 800 } = options;
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  await context.route((url) => url.protocol !== 'file:', (route) => route.abort());
  await page.goto(pathToFileURL(file).href + hash);
  return { page, requests, errors };
}
