// The primary under measurement: a Supervisor over node:cluster or
// mini-cluster (IMPL), WORKERS workers. It prints one JSON line per event
// with `at` (Date.now(), the clock the load client uses too) on stdout.
// SIGUSR2 reloads, SIGTERM shuts down (the supervisor's own handlers);
// stdin line 'restart' reloads by function call.
// Mirrors: nothing — teaching helper
// Read next: scripts/resilience/run.ts (who starts and reads it)
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Supervisor, type ClusterLike, type WorkerLike } from '../../src/supervisor/index.ts';

const impl = process.env.IMPL === 'node' ? 'node' : 'mini';
const cluster = (impl === 'node' ? await import('node:cluster') : await import('../../src/index.ts')).default as unknown as ClusterLike & {
  setupPrimary(settings: object): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
};
const emit = (record: object): void => console.log(JSON.stringify({ at: Date.now(), ...record }));
// Never outlive the script, whatever happens to it.
setTimeout(() => process.exit(9), Number(process.env.DEADLINE_MS ?? 120_000)).unref();

cluster.setupPrimary({ exec: fileURLToPath(new URL('./worker.ts', import.meta.url)) });
const supervisor = new Supervisor(cluster, {
  workers: Number(process.env.WORKERS ?? 4),
  initialDelayMs: 100,
  // The chaos run kills a worker every second on purpose: that is not a crash loop.
  maxRestarts: 1_000,
  // Nor should each kill double the slot's backoff: with the default (30 s, as
  // PM2) the delays reach seconds after a few kills, the pool thins out, and a
  // kill of the last ready worker closes the port-0 listener (the respawns
  // then listen on a new port). A worker that served for 1 s was not looping.
  stableAfterMs: Number(process.env.STABLE_AFTER_MS ?? 1_000),
  killTimeoutMs: Number(process.env.KILL_TIMEOUT_MS ?? 5_000),
});
const who = (w: WorkerLike) => ({ id: w.id, pid: w.process.pid });
supervisor.on('fork', ({ worker, slot, reason }) => emit({ type: 'fork', slot, reason, ...who(worker) }));
supervisor.on('ready', ({ worker, slot }) => emit({ type: 'ready', slot, ...who(worker) }));
supervisor.on('replaced', (r) => emit({ type: 'replaced', ...r }));
supervisor.on('shutdown', (r) => emit({ type: 'shutdown', ...r }));
cluster.on('exit', (w: WorkerLike, code: number | null, signal: string | null) => emit({ type: 'exit', code, signal, ...who(w) }));
cluster.on('listening', (w: WorkerLike, address: { port: number }) => emit({ type: 'listening', port: address.port, ...who(w) }));

await supervisor.start();
emit({ type: 'started', primary: process.pid });
readline.createInterface({ input: process.stdin }).on('line', async (line) => {
  if (line.trim() === 'restart') emit({ type: 'restarted', replacements: await supervisor.restart() });
});
