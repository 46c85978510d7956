/**
 * `npm run choosing`: the figures of choosing a worker that the comparison
 * (npm start -- --schedulers) does not give. Keep-alive burst and refill,
 * source-hash's stickiness and what moves when a worker leaves, the cost of
 * one decision from 2 to 64 workers, overload with and without maxPending,
 * and reuseport's resets when a worker leaves under load (Node >= 22.12).
 * Variants alternate A B A B within each part; tables give medians.
 *
 * Mirrors: nothing — a measuring program (issue 12's measured half)
 * Read next: scripts/choosing/burst.ts, hashing.ts, cost.ts, overload.ts, leave.ts; lessons/15-choosing-a-worker
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { reusePortSupported } from '../../src/master/reuseport-handle.ts';
import { median } from '../compare/stats.ts';
import { renderTable } from '../compare/table.ts';
import { BURST, burstOnce, REFILL, spread, type BurstRun } from './burst.ts';
import { Cluster, killEveryCluster } from './cluster.ts';
import { measureCost, SETTINGS, WORKER_COUNTS } from './cost.ts';
import { ADDRESSES, movedShares, stickiness, type Stickiness } from './hashing.ts';
import { leaveOnce, migrateReq, type LeaveRun } from './leave.ts';
import { overloadOnce, type OverloadRun } from './overload.ts';

const PARTS = ['burst', 'hash', 'cost', 'overload', 'leave'] as const;
type Part = (typeof PARTS)[number];

const { values } = parseArgs({ options: { rounds: { type: 'string' }, quick: { type: 'boolean' }, parts: { type: 'string' }, offered: { type: 'string' }, 'leave-work': { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log('Usage: npm run choosing -- [--rounds N (default 5; --quick 2)] [--parts burst,hash,cost,overload,leave] [--offered N (default 5000)] [--leave-work N (default 50000)]');
  process.exit(0);
}
const rounds = Number(values.rounds ?? (values.quick ? 2 : 5));
const offered = Number(values.offered ?? 5000);
const parts = (values.parts?.split(',') ?? PARTS) as Part[];
for (const p of parts) if (!PARTS.includes(p)) throw new Error(`--parts: unknown part '${p}' (choose from ${PARTS.join(', ')})`);

const MiB = 1024 * 1024;
const mib = (bytes: number) => (bytes / MiB).toFixed(1);
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const num = (x: number | null | undefined, digits = 0) => (x == null || Number.isNaN(x) ? '–' : x.toFixed(digits));
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const say = (line = '') => console.log(line);
const indent = (text: string) => text.replace(/^/gm, '  ');

async function burstPart(): Promise<void> {
  const settings = ['round-robin', 'least-connections', 'power-of-two'];
  say(`\n== keep-alive burst and refill: ${BURST} held connections opened at once on 4 idle workers, then the busiest's closed and ${REFILL} more (${rounds} rounds, A B C A B C)`);
  const clusters = await Promise.all(settings.map((s) => Cluster.start({ label: s, scheduler: s === 'round-robin' ? undefined : s })));
  const runs = new Map<string, BurstRun[]>(settings.map((s) => [s, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const c of clusters) {
      const run = await burstOnce(c);
      runs.get(c.label)!.push(run);
      say(`  round ${round} ${c.label.padEnd(17)} burst ${run.burst.join('/')}, refill ${run.refillToEmptied} of ${REFILL} to the emptied worker, then ${run.after.join('/')}`);
    }
  }
  await Promise.all(clusters.map((c) => c.stop()));
  const rows = settings.map((s) => {
    const r = runs.get(s)!;
    return [s, num(median(r.map((x) => spread(x.burst)))), r.map((x) => spread(x.burst)).join(' '), num(median(r.map((x) => x.refillToEmptied))), num(median(r.map((x) => spread(x.after))))];
  });
  say(indent(renderTable(['scheduler', 'burst max − min', 'each round', `refill to the emptied worker (of ${REFILL})`, 'after refill max − min'], rows)));
  const lc = runs.get('least-connections')!;
  const held = lc.filter((x) => spread(x.burst) <= 1).length;
  say(`  target: least-connections' burst split max − min ≤ 1: ${held} of ${lc.length} rounds (${held === lc.length ? 'met' : 'MISSED'})`);
}

async function hashPart(): Promise<void> {
  say(`\n== source-hash: stickiness, and the share of sources that move when one worker leaves`);
  say(`  computed with the engine's own pick() over ${ADDRESSES.length.toLocaleString('en-US')} addresses (the middle worker leaves), beside hash % N:`);
  const rows = [2, 4, 8, 16, 32, 64].map((n) => {
    const m = movedShares(n, ADDRESSES);
    return [String(n), pct(m.rendezvous), pct(m.expectedRendezvous), pct(m.modulo), pct(m.expectedModulo)];
  });
  say(indent(renderTable(['workers', 'rendezvous: moved', '1/N', 'hash % N: moved', '(N − 1)/N'], rows)));
  const measured: Stickiness[] = [];
  for (let round = 1; round <= Math.min(rounds, 2); round++) {
    const c = await Cluster.start({ label: 'source-hash', scheduler: 'source-hash' });
    measured.push(await stickiness(c));
    await c.stop();
  }
  say(`  measured: 4 workers, ${measured[0]!.sources} local addresses × ${measured[0]!.connectionsEach} connections each, then w2 leaves (a fresh primary each round; the hash depends only on address and worker id):`);
  say(indent(renderTable(['round', 'sticky sources', 'sources per worker', 'w2\'s share', 'moved', 'moved from others'], measured.map((m, i) => [
    String(i + 1), `${m.sticky} of ${m.sources} (${pct(m.sticky / m.sources)})`, m.split.join('/'), pct(m.leavingShare), `${m.moved} (${pct(m.moved / m.sources)})`, String(m.movedFromOthers),
  ]))));
}

function costPart(): void {
  say(`\n== decision cost per connection, 2 to 64 workers, with fake workers (no IPC, no kernel); CPU time, ${rounds} rounds, each setting in a process of its own, A B C D`);
  const rows = measureCost(rounds, 40);
  const us = (n: number, s: string, f: 'connectionNs' | 'pickNs') => {
    const v = rows.find((r) => r.n === n && r.setting === s)![f];
    return v === null ? null : v / 1000;
  };
  const table = WORKER_COUNTS.map((n) => [String(n), ...SETTINGS.map((s) => num(us(n, s, 'connectionNs'), 2)), ...SETTINGS.slice(1).map((s) => num(us(n, s, 'pickNs'), 2))]);
  const growth = (s: string, f: 'connectionNs' | 'pickNs') => {
    const a = us(2, s, f);
    const b = us(64, s, f);
    return a === null || b === null ? '–' : (b / a).toFixed(1);
  };
  table.push(['64 ÷ 2', ...SETTINGS.map((s) => growth(s, 'connectionNs')), ...SETTINGS.slice(1).map((s) => growth(s, 'pickNs'))]);
  say(indent(renderTable(['workers', ...SETTINGS.map((s) => `${s} µs/conn`), ...SETTINGS.slice(1).map((s) => `pick() ${s} µs`)], table)));
  say('  µs/conn: distribute() → choice → newconn to a fake worker → its answer → idle again; pick(): the choice alone.');
}

async function overloadPart(): Promise<void> {
  say(`\n== overload: every worker stopped (SIGSTOP), ${offered.toLocaleString('en-US')} clients connect at once, then the workers go on (${rounds} rounds, a fresh primary per run, A B A B)`);
  const variants = [{ label: 'maxPending 64', maxPending: 64 }, { label: 'unbounded', maxPending: undefined }];
  const runs = new Map<string, OverloadRun[]>(variants.map((v) => [v.label, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const v of variants) {
      const c = await Cluster.start(v);
      const run = await overloadOnce(c, offered);
      await c.stop();
      runs.get(v.label)!.push(run);
      say(`  round ${round} ${v.label.padEnd(13)} RSS ${mib(run.startRss)} → ${mib(run.peakRss)} MiB, queued ${run.queuedAtPeak}, closed by the primary ${run.overflow}, clients: ${[...run.outcomes].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    }
  }
  const refused = (r: OverloadRun) => [...r.outcomes].filter(([k]) => k !== 'served').reduce((a, [, n]) => a + n, 0);
  say(indent(renderTable(['variant', 'start MiB', 'peak MiB', 'growth MiB', 'queued', 'served', 'refused (clients)', 'closed (primary)'], variants.map((v) => {
    const r = runs.get(v.label)!;
    const m = (f: (x: OverloadRun) => number) => median(r.map(f))!;
    return [v.label, mib(m((x) => x.startRss)), mib(m((x) => x.peakRss)), mib(m((x) => x.peakRss - x.startRss)), num(m((x) => x.queuedAtPeak)), num(m((x) => x.outcomes.get('served') ?? 0)), num(m(refused)), num(m((x) => x.overflow))];
  }))));
  say('  refused: the client saw its connection closed unanswered or reset; closed: counted by the primary (RoundRobinHandle.closed.overflow).');
}

/** Work per request in the leave part: busy workers accept less often, so their queues hold more. */
const LEAVE_WORK = Number(values['leave-work'] ?? 50_000);

async function leavePart(): Promise<void> {
  say(`\n== a worker leaves under load: 32 churn lanes from 32 addresses, ${LEAVE_WORK.toLocaleString('en-US')} busy-loop iterations per request, w2 disconnects after 0.4 s, load 0.4 s more (${rounds} rounds, A B A B)`);
  if (!reusePortSupported()) {
    say(`  reuseport skipped: Node ${process.version} has no listen({ reusePort }) (22.12 and later). Round robin alone:`);
  } else {
    say(`  net.ipv4.tcp_migrate_req = ${migrateReq()} (0: a closing socket's accept queue is reset, 1: moved to another socket of the group)`);
  }
  const variants = reusePortSupported() ? (['rr', 'reuseport'] as const) : (['rr'] as const);
  const clusters = await Promise.all(variants.map((policy) => Cluster.start({ label: policy, policy, work: LEAVE_WORK })));
  const runs = new Map<string, LeaveRun[]>(variants.map((v) => [v, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const c of clusters) {
      const run = await leaveOnce(c);
      runs.get(c.label)!.push(run);
      say(`  round ${round} ${c.label.padEnd(9)} ${run.ok} served, failed: ${[...run.failed].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
    }
  }
  await Promise.all(clusters.map((c) => c.stop()));
  say(indent(renderTable(['policy', 'served (median)', 'resets (median)', 'resets each round', 'other failures (total)'], variants.map((v) => {
    const r = runs.get(v)!;
    const other = r.reduce((a, x) => a + [...x.failed].filter(([k]) => k !== 'ECONNRESET').reduce((b, [, n]) => b + n, 0), 0);
    return [v, num(median(r.map((x) => x.ok))), num(median(r.map((x) => x.resets))), r.map((x) => x.resets).join(' '), String(other)];
  }))));
}

process.on('exit', killEveryCluster);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const startedAt = performance.now();
say('choosing a worker: the measured figures (issue 12)');
say(`  ${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${load()} at the start`);
say('  The clients share the cores with the clusters, and this machine may be shared: read ratios and directions.');
for (const part of parts) {
  if (part === 'burst') await burstPart();
  if (part === 'hash') await hashPart();
  if (part === 'cost') costPart();
  if (part === 'overload') await overloadPart();
  if (part === 'leave') await leavePart();
}
say(`\nfinished in ${((performance.now() - startedAt) / 1000).toFixed(1)} s, load average ${load()} at the end`);
process.exit(0);
