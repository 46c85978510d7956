// Entry point of `npm run compare`: mini-cluster against node:cluster, round
// robin against SCHED_NONE, under keep-alive, churn and trickle load. Prints
// tables and bars, and optionally writes --json and --html.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/runner.ts, then primary.ts and worker.ts
//
// options => start one primary per set-up => warm up => rounds (A B A B) => summary => table, JSON, HTML

import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { renderHtml, type ReportMeta } from './html.ts';
import { MINI_IS_PLACEHOLDER } from './impls.ts';
import { killAllNow, stopAll } from './launcher.ts';
import { parseOptions, USAGE, type Options } from './options.ts';
import { runAll, startSetUps, warmUp, type RunRecord } from './runner.ts';
import { renderSchedulers, summariseSchedulers } from './schedulers.ts';
import { measureStartup, renderStartup, summariseStartup } from './startup.ts';
import { summarise } from './summary.ts';
import { renderBars, renderFindings, renderSummary } from './table.ts';

const log = (line: string) => process.stdout.write(line + '\n');

function describe(options: Options): ReportMeta {
  const title = 'mini-cluster vs node:cluster: round robin vs SCHED_NONE';
  const lines = [
    `${new Date().toISOString()}, Node ${process.version}, ${os.platform()} ${os.arch()}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'})`,
    `${options.workers} workers per primary, ${options.connections} connections, ${options.durationSec} s per keepalive/churn run, `
      + `trickle ${options.trickle} × ${options.trickleGapMs} ms, work ${options.work}, ${options.rounds} rounds${options.quick ? ' (--quick)' : ''}`,
  ];
  const notes = [
    'The load generator shares the cores with the cluster: read ratios and directions, not absolutes.',
  ];
  if (options.schedulers.length > 1 || options.policies.includes('reuseport')) {
    lines.push(`schedulers (mini-cluster, rr): ${options.schedulers.join(', ')}; policies ${options.policies.join(', ')}; skewed work ${options.skewWork} (every 20th × 50); `
      + `${options.sources ? `clients from ${options.sources} local addresses` : 'clients from 127.0.0.1'}`);
  }
  if (MINI_IS_PLACEHOLDER) notes.push('The mini-cluster slot is running node:cluster (the engine is not switched in yet): mini ÷ node ratios only show noise.');
  return { title, lines, notes };
}

async function main(): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') return log(USAGE), 0;
  const meta = describe(options);
  log(meta.title);
  for (const line of [...meta.lines, ...meta.notes]) log(`  ${line}`);
  const startedAt = performance.now();

  log(`\ntiming worker start-up, ${options.startupRounds} rounds`);
  const startupRuns = await measureStartup(options, options.startupRounds, log);
  const startup = summariseStartup(startupRuns);

  log('\nstarting one primary per set-up');
  const setUps = await startSetUps(options, log);
  if (!setUps[0]!.primary.proc) {
    const note = '/proc is not available here: wakeups per connection are skipped (shown as –).';
    meta.notes.push(note);
    log(`  ${note}`);
  }
  const at = () => `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
  log(`warming up (at ${at()})`);
  await warmUp(setUps, options);
  log(`measuring (at ${at()})`);
  const records = await runAll(setUps, options, startedAt + options.budgetSec * 1000, log);
  const rounds = Math.max(...records.map((r) => r.round));
  if (rounds < options.rounds) {
    // Say so where the report starts, not only in the log of the run.
    meta.notes.unshift(`Only ${rounds} of ${options.rounds} rounds fitted in the ${options.budgetSec} s budget (a busy machine): each figure is a median of ${rounds} run${rounds === 1 ? '' : 's'}.`);
    meta.lines[1] = meta.lines[1]!.replace(`${options.rounds} rounds`, `${rounds} of ${options.rounds} rounds`);
  }
  await stopAll();
  log(`stopped every primary (at ${at()})`);

  const summary = summarise(records);
  log(renderSummary(summary, { roundsAsked: options.rounds, budgetSec: options.budgetSec }));
  log(renderBars(summary.cells));
  log(renderFindings(summary));
  log(renderStartup(startup, options.workers));
  const schedulers = summariseSchedulers(records);
  if (schedulers) log(renderSchedulers(schedulers, options.sources));
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  log(`\nfinished in ${seconds} s`);

  const processes = setUps.map((s) => ({ impl: s.impl, policy: s.policy, scheduler: s.scheduler, primaryPid: s.primary.primaryPid, workerPids: s.primary.workerPids, port: s.primary.port }));
  if (options.json) {
    writeFileSync(options.json, toJson({ meta: { ...meta, options, miniIsPlaceholder: MINI_IS_PLACEHOLDER, seconds: Number(seconds), processes }, runs: records, summary, schedulers, startupMs: { runs: startupRuns, ...startup } }));
    log(`wrote ${options.json}`);
  }
  if (options.html) {
    writeFileSync(options.html, renderHtml(summary, meta));
    log(`wrote ${options.html}`);
  }
  return 0;
}

/** JSON has no Infinity: a max/min with an idle worker is written as null, like other missing figures. */
function toJson(value: { runs: RunRecord[] } & Record<string, unknown>): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

// Never leave a primary or worker behind: on Ctrl-C stop them gracefully,
// and on any exit SIGKILL by pid whatever is still registered.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`\n${signal}: stopping every primary and worker`);
    stopAll().finally(() => process.exit(130));
  });
}
process.on('exit', killAllNow);

main().then(
  (code) => process.exit(code),
  async (error) => {
    // After Ctrl-C the run in progress fails as its primary stops: not news.
    if (interrupted) return;
    process.stderr.write(`compare failed: ${(error as Error)?.stack ?? error}\n`);
    await stopAll();
    process.exit(1);
  },
);
