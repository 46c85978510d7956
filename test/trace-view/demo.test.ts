/**
 * `npm run demo -- --html`: both of the demo's primaries trace into one file,
 * and the demo writes it as a page with one run per policy, in the order
 * they ran, and prints its path. Reads the page's embedded trace back with
 * the model, so it needs no browser.
 *
 * Mirrors: nothing — teaching aid
 * Read next: scripts/demo.ts, scripts/trace-render/html.ts
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../lessons/_lib/run-lesson.ts';
import { modelFromText } from '../../scripts/trace-render/model.ts';

/** Run the demo with `args`; kill it by pid if it is still going after `timeoutMs`. */
function demo(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 45_000): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const timer = setTimeout(() => process.kill(child.pid!, 'SIGKILL'), timeoutMs);
    child.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout })));
  });
}

describe('npm run demo -- --html', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'demo-html-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes one page with a run per policy, round robin then SCHED_NONE, and prints its path', async () => {
    const { code, stdout } = await demo(['--html'], { TMPDIR: tmp, MINI_CLUSTER_TRACE: '' });
    expect(code, stdout).toBe(0);
    const page = path.join(tmp, 'mini-cluster-demo.html');
    expect(stdout).toContain(`\ntrace page: ${page} (open it in a browser: → and ← step, space plays)\n`);
    const html = readFileSync(page, 'utf8');
    const data = /<script type="application\/x-ndjson" id="trace-data">\n([^]*?)\n<\/script>/.exec(html)![1];
    const { runs } = modelFromText(data);
    expect(runs.map((r) => r.listenerKinds)).toEqual([['RoundRobinHandle'], ['SharedHandle']]);
    for (const run of runs) expect(run.lanes).toEqual(['primary', 'w1', 'w2', 'w3', 'w4']);
    // 16 handoffs under round robin, none under SCHED_NONE (the workers accept themselves).
    expect(runs.map((r) => r.steps.filter((s) => s.label.startsWith('newconn')).length)).toEqual([16, 0]);
    // Its own trace file is gone; only the page stays.
    expect(readdirSync(tmp).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
    expect(existsSync(page)).toBe(true);
  }, 60_000);
});
