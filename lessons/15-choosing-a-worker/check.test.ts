/**
 * Checks lesson 15 against its README: round robin does not steer the refill
 * to the emptied worker and least-connections does (split within one, with
 * the decisions in the trace); power of two sends it some; source-hash is
 * sticky and moves only the leaving worker's addresses, and behind one
 * address gives one worker everything, with a warning; least memory herds,
 * the better function leaves the big worker out; nginx (where installed,
 * and required in CI) does the same with least_conn, ip_hash and hash
 * consistent; reuseport on Node >= 22.12, its error on Node 20.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/15-choosing-a-worker/README.md
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { reusePortSupported } from '../../src/master/reuseport-handle.ts';
import { nginxVersion } from '../_lib/nginx.ts';
import { runLesson, transcript, type LessonRun } from '../_lib/run-lesson.ts';

const nginxInstalled = nginxVersion() !== null;

/** "w1 12, w2 13, w3 11, w4 12" on the first line that contains `label`, after it. */
function counts(stdout: string, label: string, from = 0): number[] {
  const line = stdout.slice(from).split('\n').find((l) => l.includes(label)) ?? '';
  return [...line.slice(line.indexOf(label) + label.length).matchAll(/\bw\d+ (\d+)/g)].map((m) => Number(m[1]));
}
const spread = (c: number[]): number => Math.max(...c) - Math.min(...c);
const sum = (c: number[]): number => c.reduce((a, b) => a + b, 0);
/** The number in "gave the emptied w2 3 of the 12". */
const refill = (stdout: string, scheduler: string): number => Number(new RegExp(`${scheduler} gave the emptied w\\d+ (\\d+) of the 12`).exec(stdout)?.[1] ?? NaN);

describe('lesson 15: choosing a worker', () => {
  let run: LessonRun;
  let withoutNginx: LessonRun | undefined;
  beforeAll(async () => {
    // Where nginx is installed, a second run shows what the lesson prints without it.
    [run, withoutNginx] = await Promise.all([runLesson(15, [], { timeoutMs: 40_000 }), nginxInstalled ? runLesson(15, ['--no-nginx', '--no-trace'], { timeoutMs: 40_000 }) : undefined]);
  }, 45_000);

  it('runs to the end', () => {
    expect(run.code, transcript(run)).toBe(0);
    if (withoutNginx) expect(withoutNginx.code, transcript(withoutNginx)).toBe(0);
  });

  it('shows round robin not steering new connections to the emptied worker, and least-connections steering all 12', () => {
    expect(sum(counts(run.stdout, 'round robin      : 48 keep-alive connections at once:')), transcript(run)).toBe(48);
    expect(refill(run.stdout, 'round robin'), transcript(run)).toBeLessThan(12);
    const lc = counts(run.stdout, 'least-connections: 48 keep-alive connections at once:');
    expect(spread(lc), `least-connections burst ${lc}`).toBeLessThanOrEqual(1);
    expect(refill(run.stdout, 'least-connections'), transcript(run)).toBeGreaterThanOrEqual(11);
  });

  it("prints least-connections' decisions from the trace, with the counts it compared", () => {
    expect(run.stdout, transcript(run)).toMatch(/primary +least-connections: w\d+ \(0 open\) over w\d+ \(1[12]\)/);
    expect(run.stdout).toMatch(/and its counts after the last: open=\{w\d+:1[123],/);
  });

  it('shows power of two sending part of the refill to the emptied worker', () => {
    expect(sum(counts(run.stdout, 'power-of-two     : 48 keep-alive connections at once:')), transcript(run)).toBe(48);
    // Each new connection reaches it when it is one of the two drawn: 6 of 12 on average.
    expect(refill(run.stdout, 'power-of-two'), transcript(run)).toBeGreaterThanOrEqual(1);
    expect(run.stdout).toMatch(/primary +power-of-two: w\d+ \(\d+ open\) over w\d+ \(\d+\)/);
  });

  it('keeps each address on one worker under source-hash, and moves only the leaving worker\'s addresses', () => {
    expect(run.stdout, transcript(run)).toContain('10 of 10 addresses reached one worker every time');
    const had = Number(/closes this server \(it had (\d+) of the 10 addresses\)/.exec(run.stdout)?.[1]);
    const moved = /moved: (\d+) of 10 \(.*\), all of them w\d+'s: (true|false)/.exec(run.stdout);
    expect([Number(moved?.[1]), moved?.[2]], transcript(run)).toEqual([had, 'true']);
  });

  it('gives one worker everything from one address, and the primary warns about it', () => {
    const one = counts(run.stdout, '(what the workers see behind a proxy):');
    expect(one.sort((a, b) => b - a), transcript(run)).toEqual([120, 0, 0]);
    expect(run.stdout).toMatch(/the primary warns: source-hash: the last 100 connections all came from 127\.0\.0\.1/);
  });

  it('shows least memory sending every connection to one worker, and the better function leaving the big one out', () => {
    const big = Number(/w(\d+) holds a 100 MB Buffer/.exec(run.stdout)?.[1]);
    const rss = Object.fromEntries([...run.stdout.matchAll(/^ {4}w(\d+) +(\d+) MB +(\d+) MB/gm)].map((m) => [Number(m[1]), Number(m[2])]));
    const others = Object.entries(rss).filter(([id]) => Number(id) !== big).map(([, mb]) => mb);
    expect(rss[big]! - Math.max(...others), transcript(run)).toBeGreaterThanOrEqual(80);
    // All 8 to one worker, unless a health report (every 100 ms) lands within the burst and changes the smallest.
    const lm = counts(run.stdout, 'leastMemory(), 8 connections at once:');
    expect([sum(lm), lm[big - 1], Math.max(...lm) >= 5], `leastMemory ${lm}`).toEqual([8, 0, true]);
    expect(run.stdout).toMatch(Math.max(...lm) === 8 ? /every one to the same worker/ : /\d of 8 to one worker: a report came in meanwhile/);
    expect(run.stdout).toMatch(/primary +leastMemory: w\d+ \(leastMemory\)/);
    const fewest = counts(run.stdout, 'fewestUnderMemoryLimit(), 8 connections at once:');
    expect([sum(fewest), fewest[big - 1]], transcript(run)).toEqual([8, 0]);
  });

  // CI installs nginx-light and sets MINI_CLUSTER_REQUIRE_NGINX=1 once it is there (.ci/run).
  it.runIf(process.env.MINI_CLUSTER_REQUIRE_NGINX === '1')('finds nginx, which this machine is known to have', () => {
    expect(nginxInstalled, 'MINI_CLUSTER_REQUIRE_NGINX=1 but `nginx -v` fails on this PATH').toBe(true);
  });

  it.runIf(nginxInstalled)('runs real nginx: least_conn passes over the slow worker, round robin does not', () => {
    expect(run.stdout, transcript(run)).toMatch(/nginx [\d.]+ found: starting it with a config of ours/);
    expect(counts(run.stdout, 'round robin (upstream default):'), transcript(run)).toEqual([3, 3, 3, 3]);
    const lc = counts(run.stdout, 'least_conn:');
    expect([sum(lc), lc[0]! < 3], `least_conn ${lc}`).toEqual([12, true]);
    expect(run.stdout).toMatch(/nginx stopped \(SIGQUIT to pid \d+, exit code 0\), its temp dir removed/);
  });

  it.runIf(nginxInstalled)('shows ip_hash putting one /24 on one worker, and consistent hashing moving only the missing server\'s addresses', () => {
    expect(counts(run.stdout, 'ip_hash, 24 addresses 127.0.0.2 to .25:').sort((a, b) => b - a), transcript(run)).toEqual([24, 0, 0, 0]);
    expect(counts(run.stdout, 'ip_hash, 8 addresses from 8 networks').filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    const moved = [...run.stdout.matchAll(/moved: (\d+) of 24 \(w\d+ had (\d+); (\d+) moved from other workers\)/g)].map((m) => m.slice(1).map(Number));
    expect(moved, transcript(run)).toHaveLength(2);
    const [consistent, modulo] = moved as [number[], number[]];
    expect(consistent, 'consistent: [moved, it had, from others]').toEqual([consistent[1], consistent[1], 0]);
    expect(modulo[0], 'without consistent more move').toBeGreaterThan(consistent[0]!);
  });

  it('prints the nginx config it would run where nginx is not used', () => {
    const r = withoutNginx ?? run;
    expect(r.stdout, transcript(r)).toMatch(/nginx (is not installed|not used \(--no-nginx\)); with nginx this part writes this config/);
    for (const directive of ['least_conn;', 'ip_hash;', 'hash $remote_addr consistent;', 'hash $remote_addr;']) expect(r.stdout).toContain(directive);
  });

  it.runIf(reusePortSupported())('splits connections by the kernel\'s hash under reuseport, and counts what a leaving worker\'s queue lost', () => {
    const split = counts(run.stdout, '60 connections, one at a time:');
    expect(sum(split), transcript(run)).toBe(60);
    expect(split.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    // Resets vary (0 to 8 seen here): what the queue held at that moment.
    expect(run.stdout).toMatch(/32 lanes of new connections from 32 addresses; w\d+ disconnects in the middle: \d+ served, \d+ reset/);
  });

  it.skipIf(reusePortSupported())('shows setupPrimary() refusing reuseport on a Node without listen({ reusePort })', () => {
    expect(run.stdout, transcript(run)).toContain(`setupPrimary() throws: SCHED_REUSEPORT needs listen({ reusePort }), which Node has from 22.12 and 23.1; this is Node ${process.version}`);
  });

  it('loses no connection under round robin when a worker leaves under load', () => {
    expect(run.stdout, transcript(run)).toMatch(/round robin, for contrast: the same load on the first listener, w\d+ disconnects: [1-9]\d* served, 0 reset\n/);
  });
});
