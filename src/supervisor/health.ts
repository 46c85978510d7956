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
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { DRAIN, DRAINED, HEALTH, READY, isTagged, type HealthReport } from './protocol.ts';

export interface HealthOptions {
  /** How often to report; the first report goes out at once (it also tells the supervisor we can drain). */
  intervalMs?: number;
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
  /** Responses whose headers are not sent yet: a drain can still mark them `Connection: close`. */
  const unsent = new Set<ServerResponse>();
  /** Every open socket of the server: the drain waits for those open when it began. */
  const sockets = new Set<Socket>();

  const onrequest = (_req: IncomingMessage, res: ServerResponse): void => {
    requests++;
    // prependListener: we run before the user's handler, which may answer at once.
    if (draining) res.setHeader('connection', 'close');
    else {
      unsent.add(res);
      res.once('finish', () => unsent.delete(res));
      res.once('close', () => unsent.delete(res));
    }
  };
  const onconnection = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  server?.prependListener('request', onrequest);
  server?.on('connection', onconnection);

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
    // Requests already in the handler get `Connection: close` too, if not answered yet.
    for (const res of unsent) if (!res.headersSent) res.setHeader('connection', 'close');
    unsent.clear();
    // Each socket open now closes after its next response. New ones the primary
    // still routes here meanwhile answer once and close, so they are not awaited.
    const waiting = new Set(sockets);
    if (waiting.size === 0) return tell({ cmd: DRAINED });
    for (const socket of waiting) {
      socket.once('close', () => {
        waiting.delete(socket);
        if (waiting.size === 0) tell({ cmd: DRAINED });
      });
    }
  };
  process.on('message', onmessage);
  const stop = (): void => {
    clearInterval(timer);
    process.off('message', onmessage);
    server?.off('request', onrequest);
    server?.off('connection', onconnection);
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
