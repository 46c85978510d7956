// A leaving worker's keep-alive connections, compared with node:cluster.
// DIVERGENCE: Node's http close() destroys idle keep-alive sockets at once;
// mini-cluster drains them (src/worker/drain.ts): the next response says
// `Connection: close`, a silent connection closes after the grace (400 ms
// in these scenarios). Plain net servers keep Node's behaviour.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../helpers/run-scenario.ts';

const drain = (CASE: string) => Promise.all([
  runScenario('keepalive-drain', 'node', 'rr', { env: { CASE } }),
  runScenario('keepalive-drain', 'mini', 'rr', { env: { CASE } }),
]);

describe('a worker disconnected while a keep-alive client holds a connection', () => {
  it("answers the client's next request with Connection: close, where node:cluster has closed the connection", async () => {
    const [node, mini] = await drain('next-request');
    expect(node.result.second).toBe('closed by the server before the request');
    expect(mini.result.first).toBe('200 connection: keep-alive');
    expect(mini.result.second).toBe('200 connection: close');
    expect(mini.result.exitedAfterDisconnect).toBe(node.result.exitedAfterDisconnect);
  }, 30_000);

  it('closes a silent connection after the grace, so the worker still leaves within it', async () => {
    const [node, mini] = await drain('silent');
    // node:cluster destroys the idle socket at once; we wait for the grace.
    expect(node.result.exitMs).toBeLessThan(mini.result.exitMs);
    // The grace is 400 ms: a check every 400 ms finds the socket silent at the first or second look.
    expect(mini.result.exitMs).toBeGreaterThanOrEqual(350);
    expect(mini.result.exitMs).toBeLessThan(1500);
    expect(mini.result.exitedAfterDisconnect).toBe(true);
  }, 30_000);

  it('leaves a plain net server waiting for its connection, as node:cluster does', async () => {
    const [node, mini] = await drain('net');
    // The client ends its connection 600 ms after the disconnect; only then can the worker go.
    expect(node.result.exitMs).toBeGreaterThanOrEqual(550);
    expect(mini.result.exitMs).toBeGreaterThanOrEqual(550);
    expect(mini.result.exitMs).toBeLessThan(2000);
  }, 30_000);
});
