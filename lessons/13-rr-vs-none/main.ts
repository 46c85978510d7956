/**
 * Lesson 13: rr vs none, measured. The comparison behind `npm start`
 * (scripts/compare), in a short form: two mini-cluster primaries, one
 * per scheduling policy, each with four workers, one round of each
 * workload (keep-alive, churn, trickle), then each figure side by side with
 * how to read it. The workers count their own connections and requests;
 * the primaries read CPU time and wakeups from /proc.
 *
 *   start rr and none primaries => warm up => keepalive, churn, trickle on each in turn (A B A B)
 *   => medians => rr | none | rr ÷ none, per figure
 *
 * Mirrors: nothing — teaching program (reuses scripts/compare: options, runner, summary, stats)
 * Read next: lessons/13-rr-vs-none/README.md, then lessons/14-beyond-one-process-group
 */
import os from 'node:os';
import { killAllNow, stopAll } from '../../scripts/compare/launcher.ts';
import { parseOptions, type Options } from '../../scripts/compare/options.ts';
import type { Policy, Workload as AnyWorkload } from '../../scripts/compare/protocol.ts';
import { runAll, startSetUps, warmUp } from '../../scripts/compare/runner.ts';
import { summarise, type Cell, type Figure } from '../../scripts/compare/summary.ts';
import { formatFigure, renderTable } from '../../scripts/compare/table.ts';
import { deadline, finish, flag, option } from '../_lib/lesson.ts';

// The short form: flags of the full comparison, smaller (npm run compare -- --help lists them).
const rounds = option('rounds', 1);
const impls = flag('with-node') ? 'mini,node' : 'mini';
const options = parseOptions([
  '--quick', '--impls', impls, '--workers', String(option('workers', 4)), '--rounds', String(rounds),
  '--duration', '0.5', '--trickle', '150', '--budget', '60',
]) as Options;

/** This lesson's three workloads (the comparison's skewed one comes with --schedulers, lesson 15). */
type Workload = Exclude<AnyWorkload, 'skewed'>;

/** What each figure means, printed under its table; `ratio` gives rr ÷ none of a figure as measured. */
const READING: Record<Workload, (ratio: (f: Figure) => number | null) => string> = {
  keepalive: (ratio) => 'Each persistent connection is handed to a worker once, then that worker serves all its requests '
    + 'directly: the policies differ only in who accepted the 32 connections at the start. '
    + throughput(ratio('requestsPerSec'))
    + ' Under none the 32 arrive in a burst and whoever is awake takes several, so a worker can even be '
    + 'left with none (max/min ∞); the split is over requests.',
  churn: () => 'A new connection per request: under rr every one crosses the primary (accept, newconn, wait for the '
    + 'answer, close its copy), which costs the primary CPU time per connection and throughput; under none the '
    + 'primary does nothing per connection. Busy workers are rarely asleep, so wakeups drop under both.',
  trickle: () => 'One connection at a time, every worker asleep: rr takes the workers in turn (Jain 1, max/min about 1) '
    + 'and wakes one worker per connection; none wakes every worker (about one wakeup per worker) and lets the '
    + 'scheduler pick the winner, so the split is uneven (lesson 05). With only 150 connections the primary\'s '
    + 'background work (it samples its own memory every 50 ms) weighs on its µs per connection, even under none.',
};

/** The keep-alive throughput sentence, true to the ratio this run measured. */
function throughput(r: number | null): string {
  if (r === null) return '';
  if (Math.abs(r - 1) <= 0.1) return `Throughput came out about the same (rr ÷ none ${r.toFixed(2)}).`;
  return `Throughput came out ${r < 1 ? 'lower' : 'higher'} under rr this time (rr ÷ none ${r.toFixed(2)}), but on a shared `
    + 'machine it swings both ways from run to run (0.48 to 1.18 in the runs behind the README): one short round is no verdict.';
}

/** Words wrapped at `width` columns. */
function wrap(text: string, width = 102): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) (lines.push(line), (line = word));
    else line = line === '' ? word : `${line} ${word}`;
  }
  return line === '' ? lines : [...lines, line];
}

const FIGURES: Record<Workload, Figure[]> = {
  keepalive: ['requestsPerSec', 'p99', 'jain', 'maxOverMin'],
  churn: ['connectionsPerSec', 'p99', 'jain', 'maxOverMin', 'wakeupsPerConnection', 'primaryCpuUsPerConnection'],
  trickle: ['jain', 'maxOverMin', 'busiestShare', 'wakeupsPerConnection', 'primaryCpuUsPerConnection'],
};

const LABELS: Record<Figure, string> = {
  requestsPerSec: 'requests/s', connectionsPerSec: 'connections/s', p50: 'p50 latency ms', p99: 'p99 latency ms',
  jain: "Jain's index", maxOverMin: 'max/min', busiestShare: 'busiest share', wakeupsPerConnection: 'wakeups per connection',
  primaryCpuUsPerConnection: 'primary µs per connection', primaryRssMiB: 'primary MiB', workerRssMiB: 'worker MiB',
};

const TITLES: Record<Workload, string> = {
  keepalive: `keepalive: ${options.connections} persistent connections (autocannon), ${options.durationSec} s`,
  churn: `churn: ${options.connections} lanes, a new connection per request, ${options.durationSec} s`,
  trickle: `trickle: ${options.trickle} connections one at a time, ${options.trickleGapMs} ms apart`,
};

function table(workload: Workload, cells: Cell[], several: boolean, reading: boolean): void {
  const impl = cells[0]!.impl;
  const of = (policy: Policy): Cell | undefined => cells.find((c) => c.policy === policy && c.impl === impl);
  const [rr, none] = [of('rr'), of('none')];
  const ratioOf = (f: Figure): number | null => {
    const a = rr?.medians[f];
    const b = none?.medians[f];
    return a == null || b == null || b === 0 || !Number.isFinite(a) || !Number.isFinite(b) ? null : a / b;
  };
  const ratio = (f: Figure): string => ratioOf(f)?.toFixed(2) ?? '–';
  const rows = FIGURES[workload].map((f) => [LABELS[f], formatFigure(f, rr?.medians[f] ?? null), formatFigure(f, none?.medians[f] ?? null), ratio(f)]);
  console.log(`\n${TITLES[workload]}${several ? `, ${impl}` : ''}`);
  console.log(renderTable(['', 'rr', 'none', 'rr ÷ none'], rows).replace(/^/gm, '  '));
  const unit = workload === 'keepalive' ? 'requests' : 'connections';
  console.log(`  per worker (${unit}): rr ${rr?.perWorkerTotal.join(' / ')}, none ${none?.perWorkerTotal.join(' / ')}`);
  if (reading) for (const line of wrap(READING[workload](ratioOf))) console.log(`  ${line}`);
}

async function main(): Promise<void> {
  const setUps = options.impls.length * options.policies.length;
  // About 4 s to start, 1 s to warm up and 2 s per set-up and round, with room for a busy machine.
  deadline(Math.max(15_000, 2 * (5_000 + setUps * rounds * 2_000)));
  process.on('exit', killAllNow); // the comparison's primaries and workers, by pid

  console.log('Lesson 13: rr vs none, measured\n');
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs; ${options.workers} workers per primary; ${rounds} round${rounds > 1 ? 's' : ''} (npm start: 5 rounds, both implementations)`);
  console.log('The load generator runs on the same cores as the cluster, and this machine may be busy with other');
  console.log('work: read directions and large ratios, not the second digit; run it twice and compare.\n');
  const log = (line: string): void => console.log(`  ${line.trim()}`);
  const started = await startSetUps(options, log);
  await warmUp(started, options);
  const records = await runAll(started, options, Infinity, log);
  await stopAll();

  const { cells } = summarise(records);
  for (const workload of options.workloads as Workload[]) {
    options.impls.forEach((impl, i) => table(workload, cells.filter((c) => c.workload === workload && c.impl === impl), options.impls.length > 1, i === options.impls.length - 1));
  }
  console.log('\nJain\'s index (Σx)² / (n·Σx²): 1 when every worker served the same, 1/n when one served everything.');
  console.log('max/min: busiest worker over idlest (∞: a worker got nothing). busiest share: its fraction of the total.');
  console.log('wakeups per connection: the workers\' voluntary context switches over connections (lesson 05).');
  console.log('primary µs per connection: the primary\'s user + system CPU time over connections.');
}

await main();
finish(0);
