/**
 * The two waits every supervision pattern is made of: "is the new worker
 * ready to take connections?" and "make the old worker leave, gracefully if
 * it can, by force if it must". Each wait is bounded by a timer.
 *
 * Mirrors: nothing — the patterns of PM2 and of the articles in docs/sources.md
 * Read next: src/supervisor/supervisor.ts (who calls them), src/supervisor/health.ts (the drain, worker side)
 *
 *   waitReady: fork() ... 'listening' (or {cmd:'mini-cluster:ready'})  => resolve
 *                     ... 'exit' or readyTimeoutMs                      => reject
 *   retire:    drain? => disconnect() ... 'exit'                        => { forced: false }
 *                                     ... killTimeoutMs => kill(SIGKILL) => { forced: true }
 */
import { DRAIN, DRAINED, READY, isTagged, type WorkerLike } from './protocol.ts';

/** What "ready" means: the cluster's 'listening' event, or the worker's own message (slow starters). */
export type Readiness = 'listening' | 'message';

/**
 * Resolve once `worker` is ready to serve. Why not 'online'? 'online' only
 * says the process started; a server is in the rotation once its listen()
 * reached the primary, which is what 'listening' reports. A worker that must
 * warm up first (caches, database pools) says so itself with READY instead.
 */
export function waitReady(worker: WorkerLike, readiness: Readiness, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error): void => {
      clearTimeout(timer);
      worker.off('listening', onlistening);
      worker.off('message', onmessage);
      worker.off('exit', onexit);
      if (error) reject(error);
      else resolve();
    };
    const onlistening = (): void => done();
    const onmessage = (message: unknown): void => void (isTagged(message, READY) && done());
    const onexit = (code: number | null, signal: string | null): void =>
      done(new Error(`worker ${worker.id} exited before it was ready (code ${code}, signal ${signal})`));
    const timer = setTimeout(() => done(new Error(`worker ${worker.id} not ready within ${timeoutMs} ms`)), timeoutMs);
    if (readiness === 'listening') worker.on('listening', onlistening);
    else worker.on('message', onmessage);
    worker.on('exit', onexit);
  });
}

export interface RetireOptions {
  /** Ask the worker's helper to drain keep-alive sockets first, and wait up to this long (0: ask, don't wait). */
  drainTimeoutMs: number | null;
  /** After disconnect(), how long the worker may take to finish in-flight requests. */
  killTimeoutMs: number;
}

export interface Retired {
  /** True when the worker did not leave in time and was killed with SIGKILL. */
  forced: boolean;
  code: number | null;
  signal: string | null;
}

/**
 * Make `worker` leave: drain, disconnect(), and SIGKILL it if it is still
 * there after `killTimeoutMs`. disconnect() is the graceful part: the worker
 * stops getting connections at once, closes its servers, waits for their
 * connections to end, then exits by itself (exitedAfterDisconnect = true).
 */
export async function retire(worker: WorkerLike, options: RetireOptions): Promise<Retired> {
  const exit = exited(worker);
  if (worker.isDead()) return { forced: false, ...(await exit) };

  // Why drain before disconnect? On Node 20 a server's close() closes only
  // *idle* keep-alive sockets; a socket busy with a request stays open and
  // keeps serving its client's next requests, so under keep-alive load the
  // worker would never leave, and the kill would cut requests in half.
  // Draining makes every response say `Connection: close` first (health.ts).
  if (options.drainTimeoutMs !== null && worker.isConnected()) {
    worker.send({ cmd: DRAIN });
    if (options.drainTimeoutMs > 0) await Promise.race([drained(worker, options.drainTimeoutMs), exit]);
  }
  if (worker.isConnected()) worker.disconnect();

  const first = await Promise.race([exit, sleep(options.killTimeoutMs)]);
  if (first !== undefined) return { forced: false, ...first };
  // It did not leave in time: a request that never ends, a timer that keeps
  // the loop alive. SIGKILL cannot be caught, so this always ends it.
  worker.kill('SIGKILL');
  return { forced: true, ...(await exit) };
}

/** The worker's 'exit', as a promise (already-dead workers resolve at once). */
export function exited(worker: WorkerLike): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    if (worker.isDead()) {
      const proc = worker.process as { exitCode?: number | null; signalCode?: string | null };
      return resolve({ code: proc.exitCode ?? null, signal: proc.signalCode ?? null });
    }
    worker.once('exit', (code: number | null, signal: string | null) => resolve({ code, signal }));
  });
}

/** Resolves when the worker answers the drain, or after `timeoutMs` (a worker without the helper never answers). */
function drained(worker: WorkerLike, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const onmessage = (message: unknown): void => void (isTagged(message, DRAINED) && done());
    const done = (): void => {
      clearTimeout(timer);
      worker.off('message', onmessage);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    worker.on('message', onmessage);
  });
}

function sleep(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
