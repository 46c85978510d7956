/**
 * The two waits every supervision pattern is made of: "is the new worker
 * ready to take connections?" and "make the old worker leave, gracefully if
 * it can, by force if it must". Each wait is bounded by a timer.
 *
 * Mirrors: nothing — the patterns of PM2 and of the articles in docs/sources.md
 * Read next: src/supervisor/supervisor.ts (who calls them), src/supervisor/health.ts (the drain, worker side)
 *
 *   waitReady: fork() ... 'listening' (or {cmd:'mini-cluster:ready'})  => resolve
 *                     ... and the readyGate's promise, if any          => (both needed)
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
 * `gate`, if given, must resolve too, within the same timeout: a condition
 * the primary checks itself, e.g. "it has the shared state's snapshot"
 * (`readyGate: (w) => hub.joined(w)`, src/messaging/hub.ts).
 */
export function waitReady(worker: WorkerLike, readiness: Readiness, timeoutMs: number, gate?: ReadyGate): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let waiting = gate ? 2 : 1; // the readiness signal, and the gate if there is one
    const done = (error?: Error): void => {
      if (settled) return;
      if (error === undefined && --waiting > 0) return;
      settled = true;
      clearTimeout(timer);
      worker.off('listening', onlistening);
      worker.off('message', onmessage);
      worker.off('exit', onexit);
      if (error) reject(error);
      else resolve();
    };
    let signalled = false; // 'listening' can come more than once (two servers): count it once
    const onsignal = (): void => void (!signalled && ((signalled = true), done()));
    const onlistening = (): void => onsignal();
    const onmessage = (message: unknown): void => void (isTagged(message, READY) && onsignal());
    const onexit = (code: number | null, signal: string | null): void =>
      done(new Error(`worker ${worker.id} exited before it was ready (code ${code}, signal ${signal})`));
    const timer = setTimeout(() => done(new Error(`worker ${worker.id} not ready within ${timeoutMs} ms`)), timeoutMs);
    if (readiness === 'listening') worker.on('listening', onlistening);
    else worker.on('message', onmessage);
    worker.on('exit', onexit);
    if (gate !== undefined) {
      let gated: Promise<unknown>;
      try {
        gated = Promise.resolve(gate(worker));
      } catch (error) {
        gated = Promise.reject(error); // a gate that throws is a gate that fails
      }
      gated.then(() => done(), (error: unknown) =>
        done(new Error(`worker ${worker.id} failed its readyGate: ${(error as Error)?.message ?? String(error)}`)));
    }
  });
}

/** An extra condition for readiness, checked by the primary (SupervisorOptions.readyGate). */
export type ReadyGate = (worker: WorkerLike) => Promise<unknown>;

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
  // Draining makes every response say `Connection: close` first (health.ts,
  // with the engine's own mechanism, src/worker/drain.ts). Under mini-cluster
  // disconnect() drains by itself as well; under node:cluster only this helps.
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
