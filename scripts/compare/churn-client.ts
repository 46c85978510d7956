// A deliberately small HTTP client that opens a fresh TCP connection for every
// request. autocannon miscounts this pattern (the field notes in
// docs/sources.md), so churn and trickle use this instead and the totals
// are checked against the workers'.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/keepalive.ts (the keep-alive workload, via autocannon)
//
// churn:   `concurrency` lanes, each: connect → GET → read to EOF → repeat, until the deadline
// trickle: one lane, `count` connections, `gapMs` of silence after each
// Both can ask for another path (the skewed workload's /skew/<n>) and spread
// their connections over local addresses 127.0.0.x (so that source-hash
// sees many clients, as it would behind no proxy).

import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const request = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
const REQUEST = request('/');

export interface RequestOptions {
  path?: string; // default '/'
  /** Addresses to connect from, one per lane (churn) or per connection (trickle), in turn. */
  localAddresses?: readonly string[];
}

/** `count` loopback addresses from 127.0.0.2 on: every one of them reaches 127.0.0.1 on Linux. */
export function loopbackSources(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.${(i + 2) >> 8}.${(i + 2) & 255}`);
}

export interface ClientResult {
  completed: number; // connections that returned a 200 and closed cleanly
  failed: number; // connections that errored, timed out or got another status
  elapsedMs: number;
  latenciesMs: number[]; // connect → last byte, one per completed connection
  firstError?: string;
}

/** One connection, one request; resolves with the latency in ms. */
export function oneRequest(port: number, timeoutMs = 5_000, path?: string, localAddress?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const socket = connect({ port, host: '127.0.0.1', noDelay: true, localAddress });
    let response = '';
    socket.setEncoding('latin1');
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no response within ${timeoutMs} ms`)));
    socket.on('connect', () => socket.write(path === undefined ? REQUEST : request(path)));
    socket.on('data', (chunk: string) => (response += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      if (response.startsWith('HTTP/1.1 200')) resolve(performance.now() - startedAt);
      else reject(new Error(`unexpected response: ${JSON.stringify(response.slice(0, 40))}`));
    });
  });
}

/** Fixed concurrency, a new connection per request, for `durationMs` (and at most `maxConnections`). */
export async function churn(port: number, concurrency: number, durationMs: number, maxConnections = 1_000_000, options: RequestOptions = {}): Promise<ClientResult> {
  const result: ClientResult = { completed: 0, failed: 0, elapsedMs: 0, latenciesMs: [] };
  const startedAt = performance.now();
  const deadline = startedAt + durationMs;
  const { path, localAddresses: from = [] } = options;
  let launched = 0;
  const lane = async (_: unknown, i: number) => {
    const localAddress = from.length ? from[i % from.length] : undefined;
    while (performance.now() < deadline && launched < maxConnections) {
      launched++;
      await record(result, oneRequest(port, 5_000, path, localAddress));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  result.elapsedMs = performance.now() - startedAt;
  return result;
}

/** Sequential connections with a pause after each: the low rate where SCHED_NONE's imbalance shows. */
export async function trickle(port: number, count: number, gapMs: number, options: RequestOptions = {}): Promise<ClientResult> {
  const result: ClientResult = { completed: 0, failed: 0, elapsedMs: 0, latenciesMs: [] };
  const startedAt = performance.now();
  const { path, localAddresses: from = [] } = options;
  for (let i = 0; i < count; i++) {
    await record(result, oneRequest(port, 5_000, path, from.length ? from[i % from.length] : undefined));
    await sleep(gapMs);
  }
  result.elapsedMs = performance.now() - startedAt;
  return result;
}

async function record(result: ClientResult, attempt: Promise<number>): Promise<void> {
  try {
    result.latenciesMs.push(await attempt);
    result.completed++;
  } catch (error) {
    result.failed++;
    result.firstError ??= (error as Error).message;
  }
}
