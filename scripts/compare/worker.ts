// The worker program: a plain HTTP server that knows nothing about which
// cluster runs it. It counts its own connections and requests and reports
// them when its primary asks, so per-worker figures never come from the client.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/primary.ts (who forks this file and asks for the counts)
//
// COMPARE_WORK=<n> adds a busy loop of n iterations to every request, to
// imitate a handler that burns CPU. The skewed workload asks for
// GET /skew/<n>: n iterations, 50 × n for every 20th (scripts/compare/skew.ts).

import http from 'node:http';
import { memoryAfterGc } from './gc.ts';
import { STATS, type WorkerCounts } from './protocol.ts';
import { skewedWork } from './skew.ts';

const work = Number(process.env.COMPARE_WORK ?? '0');

let connections = 0;
let requests = 0;

/** A deterministic busy loop; the result is used so it cannot be optimised away. */
function burn(iterations: number): number {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x + i * 7) % 1_000_003;
  return x;
}

/** The work a request asks for: COMPARE_WORK, or for /skew/<n> n iterations (50 × n for every 20th). */
const workFor = skewedWork(work);

const server = http.createServer((req, res) => {
  requests++;
  const iterations = workFor(req.url);
  const body = iterations > 0 ? `hello world ${burn(iterations)}\n` : 'hello world\n';
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});

server.on('connection', () => {
  connections++;
});

// Port 0 on loopback: under a cluster every worker gets the same port.
server.listen(0, '127.0.0.1');

process.on('message', (message: { type?: string; seq?: number }) => {
  if (message?.type !== STATS || !process.send) return;
  const rssBytes = process.memoryUsage.rss();
  const after = memoryAfterGc();
  const counts: WorkerCounts = { pid: process.pid, connections, requests, rssBytes, rssAfterGcBytes: after.rssBytes, heapUsedAfterGcBytes: after.heapUsedBytes };
  process.send({ type: STATS, seq: message.seq, counts });
});

// Hygiene: if the primary vanishes without killing us, do not linger.
process.on('disconnect', () => process.exit(0));
