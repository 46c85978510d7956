/**
 * Does the trace cost anything when it is off? mini-cluster under round
 * robin, run as it ships (trace code present, MINI_CLUSTER_TRACE unset) and
 * with every trace guard compiled out (scripts/trace-cost/compile-out.mjs),
 * alternating A B A B; keepalive and churn, medians and B ÷ A ratios.
 *
 *   npm run trace-cost [-- --rounds 4 --seconds 4]
 *
 * Mirrors: nothing — measurement script
 * Read next: src/trace.ts (the guards), scripts/compare/ (the clients reused here)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PrimaryProcess, stopAll } from './compare/launcher.ts';
import { keepalive } from './compare/keepalive.ts';
import { churn } from './compare/churn-client.ts';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('rounds', 4);
const SECONDS = arg('seconds', 4);
const COMPILE_OUT = fileURLToPath(new URL('./trace-cost/compile-out.mjs', import.meta.url));
const variants = [
  { name: 'present, off', env: { MINI_CLUSTER_TRACE: '' } },
  { name: 'compiled out', env: { MINI_CLUSTER_TRACE: '', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${COMPILE_OUT}`.trim() } },
];

// First prove the compile-out variant really has no trace code: with the
// trace switched on, it must print no trace line at all.
const probe = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
  env: { ...process.env, ...variants[1].env, MINI_CLUSTER_TRACE: '1' }, encoding: 'utf8', timeout: 60_000,
});
const traceLines = (probe.stderr.match(/ → primary /g) ?? []).length;
console.log(`compile-out check: ${traceLines} trace lines with MINI_CLUSTER_TRACE=1 (must be 0)`);
if (traceLines !== 0) process.exit(1);

const results: Record<string, { keepalive: number[]; churn: number[] }> = {};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const variant of round % 2 ? variants : [...variants].reverse()) {
      const primary = await PrimaryProcess.start({ impl: 'mini-cluster', policy: 'rr', workers: 2, work: 0, env: variant.env });
      await keepalive(primary.port, 20, 1, 'warm-up');
      const ka = await keepalive(primary.port, 50, SECONDS, variant.name);
      const ch = await churn(primary.port, 32, SECONDS * 1000);
      await primary.stop();
      const r = (results[variant.name] ??= { keepalive: [], churn: [] });
      r.keepalive.push(ka.requestsPerSec);
      r.churn.push(ch.completed / (ch.elapsedMs / 1000));
      console.log(`round ${round}  ${variant.name.padEnd(13)} keepalive ${ka.requestsPerSec.toFixed(0).padStart(6)} req/s   churn ${(ch.completed / (ch.elapsedMs / 1000)).toFixed(0).padStart(5)} conn/s`);
    }
  }
} finally {
  await stopAll();
}
const [a, b] = variants.map((v) => results[v.name]);
console.log('\nmedians            keepalive req/s   churn conn/s');
for (const v of variants) console.log(`${v.name.padEnd(19)}${median(results[v.name].keepalive).toFixed(0).padStart(15)}${median(results[v.name].churn).toFixed(0).padStart(15)}`);
console.log(`compiled out ÷ present  ${(median(b.keepalive) / median(a.keepalive)).toFixed(3).padStart(9)}${(median(b.churn) / median(a.churn)).toFixed(3).padStart(15)}`);
