// The supervisor's three measured guarantees, each a function that starts a
// primary, puts load on it, does the damage, and returns figures.
// Mirrors: nothing — the patterns of PM2 and of docs/sources.md (the tutorial's crashes under autocannon, ~92%)
// Read next: scripts/resilience/main.ts (the tables)
//
//   rolling:  load ─► SIGUSR2 ─► every worker replaced ─► load stops     => failures must be 0
//   chaos:    load ─► SIGKILL a worker every second for N s              => availability, queue at each kill
//   shutdown: load ─► SIGTERM ─► primary exits                           => accepted-before-signal all answered
import autocannon, { type Result as AutocannonResult } from 'autocannon';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshLoad, freshRequest, keepAliveLoad, rawKeepAliveLoad, tally, type KeepAliveTally, type Outcome } from './client.ts';
import { PLAIN_PRIMARY, startPrimary, type Impl, type Primary } from './run.ts';
import { viewTrace, type TraceView } from './trace.ts';

/** Read a run's trace, then delete it (tens of MB) unless asked to keep it for `npm run trace:render`. */
function readAndDrop(file: string, kills: { t: number; id: number }[], keep: boolean | undefined): TraceView {
  const view = viewTrace(file, kills);
  if (keep) console.error(`  trace kept: ${file}`);
  else rmSync(file, { force: true });
  return view;
}

export interface Options { workers: number; chaosSeconds: number; lanes: number; keepTraces?: boolean }

/** Trace settings for a mini-cluster primary: the file, and our clock as the trace's zero. */
function traced(impl: Impl, name: string): { env: Record<string, string>; file: string | null; t0: number } {
  const t0 = Date.now();
  if (impl !== 'mini') return { env: {}, file: null, t0 };
  const file = `/tmp/mini-cluster-resilience-${process.pid}-${name}-${t0}.jsonl`;
  rmSync(file, { force: true });
  return { env: { MINI_CLUSTER_TRACE: file, MINI_CLUSTER_TRACE_T0: String(t0) }, file, t0 };
}

export interface RollingResult {
  impl: Impl; load: 'keep-alive (autocannon)' | 'new connection'; requests: number; failed: number; non2xx: number;
  replaced: number; forced: number; allPidsChanged: boolean; samePort: boolean; restartMs: number; errors: string;
}

/** (a) Replace every worker (SIGUSR2) while the load runs; count what the clients saw. */
export async function rolling(impl: Impl, load: RollingResult['load'], options: Options, env: Record<string, string> = {}): Promise<RollingResult> {
  const primary = await startPrimary(impl, { WORKERS: String(options.workers), ...env });
  try {
    const oldPids = primary.readyWorkers().map((w) => w.pid);
    const port = primary.port;
    const stopLoad = load === 'new connection' ? startFresh(port, options.lanes) : startAutocannon(port, options.lanes);
    await sleep(600); // the load is up before the signal
    const signalled = Date.now();
    primary.signal('SIGUSR2');
    const replaced = await primary.until('every worker replaced', (rs) => { const r = rs.filter((x) => x.type === 'replaced'); return r.length >= options.workers && r; }, 60_000);
    const restartMs = Date.now() - signalled;
    await sleep(500);
    const figures = await stopLoad();
    const newPids = primary.readyWorkers().map((w) => w.pid);
    return {
      impl, load, ...figures, replaced: replaced.filter((r) => r.ok).length, forced: replaced.filter((r) => r.forced).length,
      allPidsChanged: newPids.length === options.workers && newPids.every((pid) => !oldPids.includes(pid)),
      samePort: primary.of('listening').every((l) => l.port === port), restartMs,
    };
  } finally {
    primary.kill();
  }
}

function startFresh(port: number, lanes: number): () => Promise<{ requests: number; failed: number; non2xx: number; errors: string }> {
  const load = freshLoad(port, lanes);
  return async () => {
    const t = tally(await load.stop());
    return { requests: t.total, failed: t.failed, non2xx: 0, errors: JSON.stringify(t.errors) };
  };
}

function startAutocannon(port: number, connections: number): () => Promise<{ requests: number; failed: number; non2xx: number; errors: string }> {
  let finish: (r: AutocannonResult) => void;
  const done = new Promise<AutocannonResult>((resolve) => (finish = resolve));
  // A long duration, stopped by hand once the restart is over (sampleInt: the stop is seen quickly).
  const instance = autocannon({ url: `http://127.0.0.1:${port}/`, connections, duration: 120, timeout: 5, sampleInt: 100 }, (error, result) => {
    if (error) throw error;
    finish(result);
  });
  return async () => {
    instance.stop();
    const r = await done;
    return { requests: r.requests.total, failed: r.errors + r.timeouts, non2xx: r.non2xx, errors: `errors ${r.errors}, timeouts ${r.timeouts}` };
  };
}

export interface ChaosResult {
  impl: Impl; seconds: number; kills: number; respawned: number; primaryUp: boolean; readyAtEnd: number;
  /** The fewest ready workers just before a kill: at 1, that kill emptied the pool. */
  minReadyAtKill: number; samePort: boolean;
  requests: number; ok: number; availability: number; failuresPerKill: number[]; errors: string; trace: TraceView | null;
}

/** (b) SIGKILL a random ready worker every second under new-connection load. */
export async function chaos(impl: Impl, options: Options): Promise<ChaosResult> {
  const trace = traced(impl, 'chaos');
  const primary = await startPrimary(impl, { WORKERS: String(options.workers), ...trace.env });
  try {
    const load = freshLoad(primary.port, options.lanes);
    const kills: { at: number; ready: number; id: number; pid: number }[] = [];
    for (let i = 0; i < options.chaosSeconds && primary.alive; i++) {
      await sleep(1_000);
      const ready = primary.readyWorkers().filter((w) => !kills.some((k) => k.id === w.id));
      const victim = ready[Math.floor(Math.random() * ready.length)];
      if (victim === undefined) continue; // all starting: nobody to kill this second
      kills.push({ at: Date.now(), ready: ready.length, ...victim });
      process.kill(victim.pid, 'SIGKILL');
    }
    // Let the last respawn come up (bounded), so 'ready at end' shows the pool refilled.
    // (Every victim's exit seen first: until then a dead victim still counts as ready.)
    const refilled = (): boolean => {
      const exited = new Set(primary.of('exit').map((r) => r.id));
      return kills.every((k) => exited.has(k.id)) && primary.readyWorkers().length >= options.workers;
    };
    await primary.until('a full pool', refilled, 5_000).catch(() => undefined);
    const outcomes = await load.stop();
    const t = tally(outcomes);
    const failuresPerKill = kills.map((k, i) => outcomes.filter((o) => !o.ok && o.end >= k.at && o.end < (kills[i + 1]?.at ?? Infinity)).length);
    return {
      impl, seconds: options.chaosSeconds, kills: kills.length, respawned: primary.of('fork').filter((f) => f.reason === 'respawn').length,
      primaryUp: primary.alive, readyAtEnd: primary.readyWorkers().length, requests: t.total, ok: t.ok,
      minReadyAtKill: Math.min(...kills.map((k) => k.ready)), samePort: primary.of('listening').every((l) => l.port === primary.port),
      availability: t.total === 0 ? 0 : (100 * t.ok) / t.total, failuresPerKill, errors: JSON.stringify(t.errors),
      trace: trace.file ? readAndDrop(trace.file, kills.map((k) => ({ t: k.at - trace.t0, id: k.id })), options.keepTraces) : null,
    };
  } finally {
    primary.kill();
  }
}

export interface ShutdownResult {
  impl: Impl; lanes: number; exitCode: number | null; shutdownMs: number; slowOk: boolean;
  before: { total: number; ok: number }; after: { total: number; ok: number; refused: number }; failedBefore: string;
  droppedByLastWorker: number | null;
}

/** (c) SIGTERM under new-connection and keep-alive load, with one slow request in flight. */
export async function shutdown(impl: Impl, options: Options): Promise<ShutdownResult> {
  // options.lanes new-connection lanes (2 of them keep-alive instead).
  const trace = traced(impl, 'shutdown');
  const primary = await startPrimary(impl, { WORKERS: String(options.workers), ...trace.env });
  try {
    const fresh = freshLoad(primary.port, Math.max(1, options.lanes - 2));
    const kept = keepAliveLoad(primary.port, 2);
    await sleep(600);
    const slow = freshRequest(primary.port, '/slow?ms=1500', 10_000);
    await sleep(500);
    const signalled = Date.now();
    primary.signal('SIGTERM');
    // ref: false, or this timer would keep the script alive 15 s after the primary exited.
    const exitCode = (await Promise.race([primary.exited, sleep(15_000, null, { ref: false })]))?.code ?? null;
    const shutdownMs = Date.now() - signalled;
    const outcomes: Outcome[] = [...(await fresh.stop()), ...(await kept.stop()), await slow];
    // Accepted before the signal: its TCP connection was established and the request on its way.
    const before = outcomes.filter((o) => o.connect !== null && o.connect < signalled && o.start < signalled);
    const after = outcomes.filter((o) => !before.includes(o));
    const failed = before.filter((o) => !o.ok);
    return {
      impl, lanes: options.lanes, exitCode, shutdownMs, slowOk: (await slow).ok,
      before: { total: before.length, ok: before.length - failed.length },
      after: { total: after.length, ok: after.filter((o) => o.ok).length, refused: after.filter((o) => o.error === 'ECONNREFUSED').length },
      failedBefore: JSON.stringify(tally(failed).errors),
      droppedByLastWorker: trace.file ? readAndDrop(trace.file, [], options.keepTraces).droppedByLastWorker : null,
    };
  } finally {
    primary.kill();
  }
}

export interface PlainRollingResult extends KeepAliveTally {
  impl: Impl; policy: 'rr' | 'none'; lanes: number; seconds: number; replaced: number; allExitedAfterDisconnect: boolean;
}

/**
 * (d) The plain cluster API, no supervisor: replace every worker in turn,
 * over and over for `seconds`, under keep-alive load from our own client,
 * which counts requests lost on connections the server closed.
 */
export async function plainRolling(impl: Impl, policy: 'rr' | 'none', lanes: number, seconds: number, workers: number, kind: 'keep-alive' | 'churn' = 'keep-alive'): Promise<PlainRollingResult> {
  const primary = await startPrimary(impl, { WORKERS: String(workers), WORK_MS: '0', NODE_CLUSTER_SCHED_POLICY: policy }, PLAIN_PRIMARY);
  try {
    const load = kind === 'keep-alive' ? rawKeepAliveLoad(primary.port, lanes) : churnAsTally(freshLoad(primary.port, lanes), lanes);
    await sleep(300); // the load is up before the first replacement
    primary.command('roll');
    await sleep(seconds * 1000);
    // At least `seconds`, and at least every worker replaced once.
    await primary.until('every worker replaced once', (rs) => rs.filter((r) => r.type === 'replaced').length >= workers, 30_000);
    primary.command('stop');
    await primary.until('the last replacement', (rs) => rs.some((r) => r.type === 'rolled'), 20_000);
    const counts = await load.stop();
    const exits = primary.of('exit');
    return {
      impl, policy, lanes, seconds, ...counts,
      replaced: primary.of('replaced').length, allExitedAfterDisconnect: exits.length > 0 && exits.every((e) => e.exitedAfterDisconnect === true),
    };
  } finally {
    primary.kill();
  }
}

/** The new-connection load, counted as the keep-alive client counts (each request is one connection). */
function churnAsTally(load: ReturnType<typeof freshLoad>, lanes: number): { stop(): Promise<KeepAliveTally> } {
  return {
    async stop() {
      const outcomes = await load.stop();
      const t = tally(outcomes);
      const lost = t.errors['closed without a response'] ?? 0;
      return { written: t.total, answered: t.ok, lost, reset: t.failed - lost, other: 0, opened: t.total + lanes };
    },
  };
}

export type { Primary };
