// The plain cluster API, no supervisor: WORKERS workers (the same worker
// program, without the health helper), then on stdin 'roll' a rolling
// restart as the seed articles write it by hand, over and over until
// 'stop': fork a replacement, wait for its 'listening', old.disconnect(),
// wait for the old one's 'exit', next worker. Prints one JSON line per
// event, as primary.ts does.
// Mirrors: nothing — teaching helper (the rolling restart users write themselves)
// Read next: scripts/resilience/scenarios.ts (plainRolling)
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Cluster, Worker } from '../../src/index.ts';

const impl = process.env.IMPL === 'node' ? 'node' : 'mini';
const cluster = (impl === 'node' ? await import('node:cluster') : await import('../../src/index.ts')).default as unknown as Cluster;
const emit = (record: object): void => console.log(JSON.stringify({ at: Date.now(), ...record }));
setTimeout(() => process.exit(9), Number(process.env.DEADLINE_MS ?? 120_000)).unref();

cluster.setupPrimary({ exec: fileURLToPath(new URL('./worker.ts', import.meta.url)) });
const who = (w: Worker) => ({ id: w.id, pid: w.process.pid });
cluster.on('fork', (w: Worker) => emit({ type: 'fork', ...who(w) }));
cluster.on('exit', (w: Worker, code: number | null, signal: string | null) => emit({ type: 'exit', code, signal, exitedAfterDisconnect: w.exitedAfterDisconnect, ...who(w) }));
cluster.on('listening', (w: Worker, address: { port: number }) => emit({ type: 'listening', port: address.port, ...who(w) }));

const listening = (w: Worker): Promise<void> => new Promise((resolve) => w.once('listening', () => resolve()));
const exited = (w: Worker): Promise<void> => new Promise((resolve) => w.once('exit', () => resolve()));
const env = { NO_HELPER: '1' };

let workers = Array.from({ length: Number(process.env.WORKERS ?? 4) }, () => cluster.fork(env));
await Promise.all(workers.map(listening));
emit({ type: 'started', primary: process.pid });

let rolling = false;
async function roll(): Promise<void> {
  rolling = true;
  while (rolling) {
    for (let i = 0; i < workers.length && rolling; i++) {
      const old = workers[i]!;
      const next = cluster.fork(env);
      const forkedAt = Date.now();
      await listening(next);
      const listenedAt = Date.now();
      old.disconnect();
      await exited(old);
      workers[i] = next;
      emit({ type: 'replaced', old: old.id, by: next.id, startMs: listenedAt - forkedAt, leaveMs: Date.now() - listenedAt });
    }
  }
  emit({ type: 'rolled' });
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'roll') void roll();
  if (line.trim() === 'stop') rolling = false;
});
