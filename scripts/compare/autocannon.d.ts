// Types for the small part of autocannon's programmatic API the comparison
// uses (autocannon ships no types of its own).
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/keepalive.ts

declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface Options {
    url: string;
    connections?: number;
    duration?: number; // seconds
    pipelining?: number;
    timeout?: number; // seconds
    sampleInt?: number; // ms between samples; also how often the end of the run is checked
  }
  interface Histogram {
    average: number;
    p50: number;
    p99: number;
    total: number;
  }
  interface Result {
    duration: number; // seconds, as measured by autocannon
    errors: number;
    timeouts: number;
    non2xx: number;
    latency: Histogram;
    requests: Histogram & { sent: number };
  }
  interface Instance extends EventEmitter {
    stop(): void;
  }
  interface TrackOptions {
    outputStream?: NodeJS.WritableStream;
    renderProgressBar?: boolean;
    renderResultsTable?: boolean;
    renderLatencyTable?: boolean;
  }
  function autocannon(options: Options, callback: (error: Error | null, result: Result) => void): Instance;
  namespace autocannon {
    function track(instance: Instance, options?: TrackOptions): void;
  }
  export default autocannon;
  export type { Options, Result, Instance };
}
