/**
 * Does the trace cost anything when it is off? mini-cluster under round
 * robin, run as it ships (trace code present, MINI_CLUSTER_TRACE unset) and
 * with every trace guard compiled out (a second build: scripts/build.ts buildJs),
 * alternating A B A B; keepalive and churn, medians and B ÷ A ratios.
 *
 *   npm run trace-cost [-- --rounds 4 --seconds 4]
 *
 * Mirrors: nothing — measurement script
 * Read next: src/trace.ts (the guards), scripts/compare/ (the clients reused here)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrimaryProcess, stopAll } from '../compare/launcher.ts';
import { buildJs } from '../build.ts';
import { keepalive } from '../compare/keepalive.ts';
import { churn } from '../compare/churn-client.ts';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('rounds', 4);
const SECONDS = arg('seconds', 4);
// The same package built twice: as shipped (dist/), and with every trace
// guard compiled out (scripts/build.ts buildJs, compileOutTrace).
const COMPILED_OUT = fileURLToPath(new URL('../../out/dist-trace-compiled-out', import.meta.url));
await buildJs(COMPILED_OUT, { compileOutTrace: true });
const variants = [
  { name: 'present, off', packageDir: undefined },
  { name: 'compiled out', packageDir: COMPILED_OUT },
];

// First prove the compiled-out build really has no trace code: with the
// trace switched on, a primary and a worker of it must print no trace line.
const probeFile = path.join(COMPILED_OUT, 'probe.cjs');
fs.writeFileSync(probeFile, `
  const cluster = require('./index.cjs');
  const http = require('node:http');
  if (cluster.isPrimary) {
    const w = cluster.fork();
    w.on('listening', (a) => http.get({ host: '127.0.0.1', port: a.port, agent: false }, (res) => { res.resume(); res.on('end', () => cluster.disconnect()); }));
  } else {
    http.createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1');
  }`);
const probe = spawnSync(process.execPath, [probeFile], { env: { ...process.env, MINI_CLUSTER_TRACE: '1' }, encoding: 'utf8', timeout: 30_000 });
const traceLines = (probe.stderr.match(/ → /g) ?? []).length;
console.log(`compile-out check: ${traceLines} trace lines with MINI_CLUSTER_TRACE=1 (must be 0; exit ${probe.status})`);
if (traceLines !== 0 || probe.status !== 0) process.exit(1);

const results: Record<string, { keepalive: number[]; churn: number[] }> = {};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const variant of round % 2 ? variants : [...variants].reverse()) {
      const primary = await PrimaryProcess.start({ impl: 'mini-cluster', policy: 'rr', workers: 2, work: 0, packageDir: variant.packageDir, env: { MINI_CLUSTER_TRACE: '' } });
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
