// Spec for the keep-alive workload: autocannon through its programmatic
// API, checked against the server's own request count.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/keepalive.ts

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { keepalive } from '../../scripts/compare/keepalive.ts';

let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('keepalive', () => {
  it('reuses a few connections for many requests and never counts more requests than the server saw', async () => {
    const counts = { connections: 0, requests: 0 };
    server = http.createServer((_req, res) => {
      counts.requests++;
      res.end('hello world\n');
    });
    server.on('connection', () => counts.connections++);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));

    const result = await keepalive((server.address() as AddressInfo).port, 4, 0.3, 'spec');
    expect(result.errors).toBe(0);
    expect(counts.connections).toBe(4);
    // autocannon drops what is still in flight when it stops: at most one request per connection.
    expect(counts.requests - result.requests).toBeGreaterThanOrEqual(0);
    expect(counts.requests - result.requests).toBeLessThanOrEqual(4);
    expect(result.requestsPerSec).toBeCloseTo(result.requests / (result.elapsedMs / 1000), 6);
    // It ran for at least the duration asked for (timing upper bounds are left out: CI is shared).
    expect(result.elapsedMs).toBeGreaterThanOrEqual(290);
  });
});
