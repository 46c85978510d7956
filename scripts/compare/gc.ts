// A full garbage collection on demand, without starting Node with
// --expose-gc: memory measured after it shows what is really retained,
// which is what "does memory grow with connections served?" asks about.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/worker.ts

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// Setting the flag at run time exposes `gc` to contexts created afterwards.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Runs a full GC, then returns RSS and used heap in bytes. */
export function memoryAfterGc(): { rssBytes: number; heapUsedBytes: number } {
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssBytes: rss, heapUsedBytes: heapUsed };
}
