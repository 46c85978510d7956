// Specs for our own churn/trickle client, against a plain HTTP server on
// port 0 that counts connections the way the worker program does.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/churn-client.ts

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { churn, loopbackSources, oneRequest, trickle } from '../../scripts/compare/churn-client.ts';
import { countingServer } from './counting-server.ts';

describe('churn', () => {
  it('opens a new connection for every request, so the server counts as many connections as requests', async () => {
    const { port, counts } = await countingServer();
    const result = await churn(port, 8, 300);
    expect(result.failed).toBe(0);
    expect(result.completed).toBeGreaterThan(50);
    expect(counts.connections).toBe(result.completed);
    expect(counts.requests).toBe(result.completed);
    expect(result.latenciesMs).toHaveLength(result.completed);
  });

  it('stops at the connection cap even before the deadline', async () => {
    const { port, counts } = await countingServer();
    const result = await churn(port, 4, 10_000, 40);
    expect(result.completed).toBe(40);
    expect(counts.connections).toBe(40);
  });
});

describe('churn from several local addresses', () => {
  it('connects each lane from its own address and asks for the path given', async () => {
    const seen = new Map<string, number>();
    const paths = new Set<string>();
    const server = http.createServer((req, res) => {
      seen.set(req.socket.remoteAddress!, (seen.get(req.socket.remoteAddress!) ?? 0) + 1);
      paths.add(req.url!);
      res.end('hello world\n');
    });
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sources = loopbackSources(3);
    expect(sources).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    const result = await churn((server.address() as AddressInfo).port, 6, 10_000, 60, { path: '/skew/10', localAddresses: sources });
    expect(result).toMatchObject({ completed: 60, failed: 0 });
    expect([...seen.keys()].sort()).toEqual(sources);
    expect([...paths]).toEqual(['/skew/10']);
  });
});

describe('trickle', () => {
  it('makes exactly the number of sequential connections asked for, spaced by the gap', async () => {
    const { port, counts } = await countingServer();
    const result = await trickle(port, 50, 2);
    expect(result).toMatchObject({ completed: 50, failed: 0 });
    expect(counts.connections).toBe(50);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(50 * 2);
  });
});

describe('oneRequest', () => {
  it('fails with the reason when nothing listens on the port', async () => {
    // A port that was free a moment ago: listen on it, then close.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(oneRequest(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('fails on an answer other than 200', async () => {
    const failing = http.createServer((_req, res) => res.writeHead(503).end());
    onTestFinished(() => new Promise<void>((resolve) => failing.close(() => resolve())));
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    await expect(oneRequest((failing.address() as AddressInfo).port)).rejects.toThrow(/unexpected response: "HTTP\/1.1 503/);
  });
});
