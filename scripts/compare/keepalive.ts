// The keep-alive workload: autocannon's programmatic API, `connections`
// persistent connections sending requests back to back for `durationSec`.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/runner.ts
//
// autocannon is right for this pattern (and wrong for connection churn, which
// is why churn-client.ts exists). Its progress bar is drawn only on a TTY.

import autocannon from 'autocannon';

export interface KeepaliveResult {
  requests: number; // completed requests, as autocannon counted them
  elapsedMs: number;
  requestsPerSec: number;
  latencyMs: { p50: number; p99: number };
  errors: number; // errors + timeouts + non-2xx answers
}

export function keepalive(port: number, connections: number, durationSec: number, title: string): Promise<KeepaliveResult> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      // autocannon only checks for the end of the run when it takes a sample,
      // so a short sample interval keeps a 0.75 s run from lasting a full second.
      { url: `http://127.0.0.1:${port}/`, connections, duration: durationSec, timeout: 5, sampleInt: 100 },
      (error, result) => {
        if (error) return reject(error);
        const elapsedMs = result.duration * 1000;
        resolve({
          requests: result.requests.total,
          elapsedMs,
          requestsPerSec: elapsedMs > 0 ? result.requests.total / (elapsedMs / 1000) : 0,
          latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
          errors: result.errors + result.timeouts + result.non2xx,
        });
      },
    );
    if (process.stderr.isTTY) {
      process.stderr.write(`  keepalive ${title}\n`);
      autocannon.track(instance, { outputStream: process.stderr, renderProgressBar: true, renderResultsTable: false, renderLatencyTable: false });
    }
  });
}
