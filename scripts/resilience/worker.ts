// The worker under measurement: an HTTP server that answers with its pid
// after WORK_MS of simulated I/O (so each worker has several requests in
// flight, as a real one would), with the supervisor's health helper, which
// also answers the drain that keeps keep-alive clients error-free.
// Mirrors: nothing — teaching helper
// Read next: scripts/resilience/primary.ts
import http from 'node:http';
import { deferSigintToPrimary, reportHealth } from '../../src/supervisor/health.ts';

const workMs = Number(process.env.WORK_MS ?? 5);
deferSigintToPrimary();

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const ms = url.pathname === '/slow' ? Math.min(Number(url.searchParams.get('ms') ?? 1000), 10_000) : workMs;
  const answer = (): void => void res.end(`${process.pid}\n`);
  if (ms > 0) setTimeout(answer, ms);
  else answer();
});
// NO_HELPER=1: a plain worker, so the supervisor cannot drain it (the comparison row).
if (process.env.NO_HELPER !== '1') reportHealth(server, { intervalMs: 1000 });
server.listen(0, '127.0.0.1');
