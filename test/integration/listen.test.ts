// A worker's listen() in its other forms and failures, and the message
// layer seen from user code, compared with node:cluster.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../helpers/run-scenario.ts';

describe.each(['rr', 'none'] as const)('listen in a worker under %s', (policy) => {
  // The primary holds the port itself, so the primary-side bind fails.
  it('delivers EADDRINUSE as the server error node:cluster gives, and the primary keeps serving', async () => {
    const [node, mini] = await Promise.all([runScenario('listen-error', 'node', policy), runScenario('listen-error', 'mini', policy)]);
    expect(mini.result.error).toEqual(node.result.error);
    expect(mini.result.error).toMatchObject({ code: 'EADDRINUSE', errno: -98, syscall: 'bind', address: '127.0.0.1', port: 'PORT' });
    expect(mini.result.served).toBe('w2');
  }, 40_000);

  it('binds in the worker itself with exclusive: true, without a cluster listening event', async () => {
    const [node, mini] = await Promise.all([runScenario('exclusive', 'node', policy), runScenario('exclusive', 'mini', policy)]);
    expect(mini.result).toEqual(node.result);
    expect(mini.result).toMatchObject({ distinctPorts: 2, clusterListening: 0, served: ['w1', 'w2'] });
  }, 40_000);
});

describe.each(['rr', 'none'] as const)('a Unix socket listener under %s', (policy) => {
  it('is shared by both workers through the primary, as node:cluster shares it', async () => {
    const [node, mini] = await Promise.all([runScenario('pipe', 'node', policy), runScenario('pipe', 'mini', policy)]);
    expect(mini.result.addresses).toEqual(node.result.addresses);
    expect(mini.result.addresses[0]).toEqual({ addressType: -1, address: 'SOCKET', port: -1 });
    expect(mini.result.served).toHaveLength(6);
    if (policy === 'rr') expect(mini.result.served).toEqual(['w1', 'w1', 'w1', 'w2', 'w2', 'w2']);
  }, 30_000);
});

describe('user messages beside the internal protocol', () => {
  it('flow both ways while internal messages never reach a message listener', async () => {
    const [node, mini] = await Promise.all([runScenario('messages', 'node'), runScenario('messages', 'mini')]);
    const withoutPort = (seen: { port?: number }[]) => seen.map(({ port, ...rest }) => ({ ...rest, port: typeof port }));
    expect(withoutPort(mini.result.seen)).toEqual(withoutPort(node.result.seen));
    expect(mini.result.echo.message).toEqual({ cmd: 'echo', text: 'hello' });
    expect(mini.result.onWorker).toBe(1);
  }, 40_000);
});

describe('a program written for node:cluster', () => {
  it('runs unchanged but for its import, with the same API surface and behaviour', async () => {
    for (const policy of ['rr', 'none'] as const) {
      const [node, mini] = await Promise.all([runScenario('drop-in-app', 'node', policy), runScenario('drop-in-app', 'mini', policy)]);
      expect(mini.result.primary).toEqual(node.result.primary);
      const byId = (workers: { id: number }[]) => [...workers].sort((a, b) => a.id - b.id);
      expect(byId(mini.result.workers)).toEqual(byId(node.result.workers));
      expect(mini.result.served).toHaveLength(4);
      if (policy === 'rr') expect(mini.result.distinct).toBe(2);
    }
  }, 60_000);
});
