// A plain HTTP server on 127.0.0.1, port 0, that counts the connections and
// requests it sees, so the load-client specs can check the clients' totals
// against the server's. Closed when the test that started it finishes.
// Mirrors: nothing — teaching helper
// Read next: test/compare/churn-client.test.ts, test/compare/keepalive.test.ts

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export async function countingServer(): Promise<{ port: number; counts: { connections: number; requests: number } }> {
  const counts = { connections: 0, requests: 0 };
  const server = http.createServer((_req, res) => {
    counts.requests++;
    res.end('hello world\n');
  });
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.on('connection', () => counts.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, counts };
}
