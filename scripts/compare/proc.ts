// Reads the figures Linux keeps in /proc/<pid>/status: how many times a
// process's main thread gave up the CPU voluntarily (slept and was woken).
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/stats.ts (wakeupsPerConnection)
//
// An idle event loop sleeps in epoll_wait; each wakeup it did not need (a
// SCHED_NONE worker that loses the accept() race) still costs one switch.

import { existsSync, readFileSync } from 'node:fs';

/** True where /proc/<pid>/status exists (Linux); elsewhere the wakeup figures are skipped. */
export function procAvailable(): boolean {
  return existsSync(`/proc/${process.pid}/status`);
}

/** Pulls `voluntary_ctxt_switches` out of the text of a status file. */
export function parseVoluntaryCtxtSwitches(statusText: string): number | null {
  const match = /^voluntary_ctxt_switches:\s+(\d+)$/m.exec(statusText);
  return match ? Number(match[1]) : null;
}

/** The count for one live process, or null if it cannot be read. */
export function voluntaryCtxtSwitches(pid: number): number | null {
  try {
    return parseVoluntaryCtxtSwitches(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}
