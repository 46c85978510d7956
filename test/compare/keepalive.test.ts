// Spec for the keep-alive workload: autocannon through its programmatic
// API, checked against the server's own request count.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/keepalive.ts

import { describe, expect, it } from 'vitest';
import { keepalive } from '../../scripts/compare/keepalive.ts';
import { countingServer } from './counting-server.ts';

describe('keepalive', () => {
  it('reuses a few connections for many requests and never counts more requests than the server saw', async () => {
    const { port, counts } = await countingServer();
    const result = await keepalive(port, 4, 0.3, 'spec');
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
