/**
 * Descriptor-leak check at full size: 100,000 connections, one new
 * connection per request, 32 at a time, while a worker is SIGKILLed and
 * replaced 50 times, for mini-cluster and node:cluster. Prints the primary's
 * open descriptors before and after, and what failed.
 *
 *   npm run fd-leak [-- --connections 100000 --restarts 50]
 *
 * Mirrors: nothing — measurement script
 * Read next: test/fixtures/scenarios/fd-churn.ts (the scenario it runs)
 */
import { runScenario } from '../test/helpers/run-scenario.ts';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const env = { CONNECTIONS: String(arg('connections', 100_000)), RESTARTS: String(arg('restarts', 50)) };
console.log(`${env.CONNECTIONS} connections, ${env.RESTARTS} worker restarts (SIGKILL + fork), 2 workers, 32 concurrent\n`);
console.log('impl          fds before  fds after  requests ok  failed  restarts  failures by reason');
for (const impl of ['mini', 'node'] as const) {
  const { result: r } = await runScenario('fd-churn', impl, 'rr', { env, timeoutMs: 300_000 });
  const name = impl === 'mini' ? 'mini-cluster' : 'node:cluster';
  console.log(`${name.padEnd(14)}${String(r.before).padStart(10)}${String(r.after).padStart(11)}${String(r.ok).padStart(13)}${String(r.failed).padStart(8)}${String(r.restarts).padStart(10)}  ${JSON.stringify(r.reasons)}`);
}
console.log('\nA "timeout" is a client whose connection was handed to a worker that died before');
console.log("answering: node:cluster keeps that descriptor open forever; mini-cluster redistributes it.");
