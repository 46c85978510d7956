// Starts the measured primary in its own process (scripts/lib/primary-process.ts:
// JSON lines on stdout, every pid it names killed when asked or on exit).
// Mirrors: nothing — teaching helper
// Read next: scripts/resilience/scenarios.ts
import { killEveryone, PrimaryProcess, type Rec } from '../lib/primary-process.ts';
import { fileURLToPath } from 'node:url';

export type Impl = 'mini' | 'node';
export type { Rec };
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PRIMARY = fileURLToPath(new URL('./primary.ts', import.meta.url));
/** The plain cluster API, without the supervisor. */
export const PLAIN_PRIMARY = fileURLToPath(new URL('./plain-primary.ts', import.meta.url));

export class Primary extends PrimaryProcess {
  port = 0;

  constructor(readonly impl: Impl, env: Record<string, string> = {}, script = PRIMARY) {
    super({
      args: ['--import', 'tsx', script],
      cwd: ROOT,
      env: { ...env, IMPL: impl },
      onRecord: (record) => {
        if (record.type === 'listening') this.port ||= record.port;
      },
    });
  }

  /** Live workers that are ready to serve: ready, and not exited since. */
  readyWorkers(): { id: number; pid: number }[] {
    const gone = new Set(this.of('exit').map((r) => r.id));
    return this.of('ready').filter((r) => !gone.has(r.id)).map(({ id, pid }) => ({ id, pid }));
  }
}

/** Start a primary and wait until its workers listen. */
export async function startPrimary(impl: Impl, env: Record<string, string> = {}, script = PRIMARY): Promise<Primary> {
  const primary = new Primary(impl, env, script);
  await primary.until('start', (rs) => rs.some((r) => r.type === 'started'), 40_000);
  return primary;
}

export { killEveryone };
