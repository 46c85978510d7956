// Hygiene: Ctrl-C in the middle of a comparison stops every primary and
// worker it started, found by the pids it printed when they started.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/launcher.ts (stopAll, killAllNow)

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isAlive } from '../helpers/run-scenario.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));


describe('compare on SIGINT', () => {
  it('stops every primary and worker and exits with 130', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/compare/main.ts', '--impls', 'node', '--policies', 'rr,none', '--workers', '2', '--workloads', 'churn', '--rounds', '100', '--budget', '60'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    onTestFinished(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
    let stdout = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    // Wait (at most 25 s) until the load is running, then interrupt.
    for (let waited = 0; !stdout.includes('round 1 churn') && waited < 25_000 && child.exitCode === null; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stdout).toContain('round 1 churn');
    const pids = [...stdout.matchAll(/primary (\d+), workers ([\d ]+), port/g)].flatMap((m) => [Number(m[1]), ...m[2]!.trim().split(' ').map(Number)]);
    expect(pids).toHaveLength(2 * 3);
    child.kill('SIGINT');

    expect(await exited).toBe(130);
    expect(pids.filter(isAlive), stdout).toEqual([]);
  }, 40_000);
});
