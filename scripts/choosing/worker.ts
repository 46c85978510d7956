/**
 * The worker program of `npm run choosing`: a plain HTTP server that answers
 * every request with its pid, so a client learns which worker it reached.
 * CHOOSING_WORK adds a busy loop per request (a handler that burns CPU).
 *
 * Mirrors: nothing — a measuring helper
 * Read next: scripts/choosing/primary.ts (who forks it)
 */
import http from 'node:http';

const work = Number(process.env.CHOOSING_WORK ?? 0);

function burn(iterations: number): number {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x + i * 7) % 1_000_003;
  return x;
}

const server = http.createServer((_req, res) => {
  if (work > 0) burn(work);
  const body = String(process.pid);
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1');
