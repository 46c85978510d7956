/**
 * The worker's half of supervision: report health over IPC every N ms,
 * drain keep-alive sockets when the supervisor plans to disconnect this
 * worker, say "ready" when a slow start is over. Call it from the worker
 * program; it only uses `process.send` and its 'message' event.
 *
 * Mirrors: nothing — the patterns of PM2 and of docs/sources.md (the course's per-worker stats)
 * Read next: src/supervisor/lifecycle.ts (retire: why drain), src/supervisor/supervisor.ts (stats())
 *
 *   reportHealth(server) => {cmd:'mini-cluster:health', rss, cpuPercent, requests, ...} every intervalMs
 *   {cmd:'mini-cluster:drain'} => every response says `Connection: close`
 *                              => {cmd:'mini-cluster:drained'} once the sockets open then are closed
 */
import type { Server } from 'node:http';
import { DEFAULT_DRAIN_GRACE_MS, drainConnections, trackConnections } from '../worker/drain.ts';
import { DRAIN, DRAINED, HEALTH, READY, isTagged, type HealthReport } from './protocol.ts';

export interface HealthOptions {
  /** How often to report; the first report goes out at once (it also tells the supervisor we can drain). */
  intervalMs?: number;
  /** While draining, a keep-alive connection silent this long is closed (src/worker/drain.ts). */
  drainGraceMs?: number;
}

export interface HealthReporter {
  /** Stop reporting and draining (tests, or a worker that leaves). */
  stop(): void;
  /** True once the supervisor asked this worker to drain. */
  readonly draining: boolean;
}

/** Send to the primary if the channel is still open: a send on a closed channel is an 'error' event on `process`. */
function tell(message: object): void {
  if (process.connected && process.send) process.send(message, undefined, {}, () => {});
}

/**
 * Start reporting for `server` (null: memory and CPU only). Requests are
 * counted on the server's 'request' event; memory is the RSS, the figure
 * the kernel (and the OOM killer) goes by, rather than heapUsed, which
 * misses buffers and native memory (the course in docs/sources.md reports heapUsed).
 */
export function reportHealth(server: Server | null, options: HealthOptions = {}): HealthReporter {
  const intervalMs = options.intervalMs ?? 1000;
  let requests = 0;
  let lastRequests = 0;
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  let draining = false;
  /** Every open connection of the server (the drain's own count, shared with the engine). */
  const sockets = server === null ? new Set() : trackConnections(server);

  const onrequest = (): void => {
    requests++;
  };
  server?.on('request', onrequest);

  const report = (): void => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu); // microseconds since the last report
    const elapsedMs = Math.max(1, now - lastAt);
    const memory = process.memoryUsage();
    const message: HealthReport = {
      cmd: HEALTH, pid: process.pid, rss: memory.rss, heapUsed: memory.heapUsed,
      cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10,
      requests, requestsInInterval: requests - lastRequests, connections: sockets.size, intervalMs,
    };
    lastCpu = process.cpuUsage();
    lastAt = now;
    lastRequests = requests;
    tell(message);
  };
  // unref(): a report timer must not keep a disconnected worker alive. After
  // disconnect() the worker exits when its event loop is empty, as in Node.
  const timer = setInterval(report, intervalMs).unref();
  report();

  const onmessage = (message: unknown): void => {
    if (!isTagged(message, DRAIN) || draining) return;
    draining = true;
    // The engine's drain (one mechanism): each response from now on says
    // `Connection: close`, a silent connection closes after the grace. The
    // server keeps listening until the supervisor disconnects this worker;
    // connections the primary still routes here answer once and close.
    if (server === null) return tell({ cmd: DRAINED });
    void drainConnections(server, options.drainGraceMs ?? DEFAULT_DRAIN_GRACE_MS).then(() => tell({ cmd: DRAINED }));
  };
  process.on('message', onmessage);
  const stop = (): void => {
    clearInterval(timer);
    process.off('message', onmessage);
    server?.off('request', onrequest);
  };
  process.once('disconnect', stop);

  return { stop, get draining() { return draining; } };
}

/** A slow starter is ready: with `readiness: 'message'` the supervisor waits for this, not for 'listening'. */
export function signalReady(): void {
  tell({ cmd: READY });
}

/**
 * Ctrl-C in a terminal sends SIGINT to the whole process group: the primary
 * *and* every worker. A worker then dies at once, in-flight requests and all,
 * before the primary's graceful shutdown can even begin. A worker that calls
 * this ignores SIGINT and leaves when the primary disconnects it (or, if the
 * primary dies, when its IPC channel closes: cluster workers always do).
 */
export function deferSigintToPrimary(): void {
  process.on('SIGINT', () => {});
}
