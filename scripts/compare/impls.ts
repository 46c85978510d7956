// The single switch point between the two cluster implementations being
// compared. Both slots must behave as a drop-in for `node:cluster`.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/primary.ts
//
// Only the few members the primary program uses are typed here, so the
// comparison does not depend on either implementation's full type surface.

import type { Impl } from './protocol.ts';

export interface WorkerLike {
  id: number;
  process: { pid?: number; kill(signal?: NodeJS.Signals): boolean };
  send(message: unknown): boolean;
  on(event: 'message', listener: (message: any) => void): unknown;
  on(event: 'exit', listener: (code: number | null, signal: string | null) => void): unknown;
}

export interface ClusterLike {
  isPrimary: boolean;
  schedulingPolicy: number; // 1 = SCHED_NONE, 2 = SCHED_RR, as in Node
  setupPrimary(settings: { exec?: string; args?: string[]; execArgv?: string[]; silent?: boolean }): void;
  fork(env?: NodeJS.ProcessEnv): WorkerLike;
  on(event: 'listening', listener: (worker: WorkerLike, address: { port: number }) => void): unknown;
}

/** True while the mini-cluster slot still loads node:cluster (set it while the engine is broken). */
export const MINI_IS_PLACEHOLDER = false;

/** Loads one implementation. Call it in the primary only, after the policy env var is set. */
export async function loadCluster(impl: Impl): Promise<ClusterLike> {
  const loaded = impl === 'mini-cluster' && !MINI_IS_PLACEHOLDER ? await import('../../src/index.ts') : await import('node:cluster');
  return loaded.default as unknown as ClusterLike;
}
