// Starts the measured primary in its own process, reads its JSON lines, and
// kills every pid it learned (primary and workers) when asked or on exit.
// Mirrors: nothing — teaching helper
// Read next: scripts/resilience/scenarios.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type Impl = 'mini' | 'node';
export type Rec = Record<string, any> & { type: string; at: number };
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PRIMARY = fileURLToPath(new URL('./primary.ts', import.meta.url));
/** The plain cluster API, without the supervisor. */
export const PLAIN_PRIMARY = fileURLToPath(new URL('./plain-primary.ts', import.meta.url));
const everyone = new Set<Primary>();

export class Primary {
  readonly records: Rec[] = [];
  readonly pids = new Set<number>();
  readonly exited: Promise<number | null>;
  port = 0;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();

  constructor(readonly impl: Impl, env: Record<string, string> = {}, script = PRIMARY) {
    this.child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT, env: { ...process.env, MINI_CLUSTER_TRACE: '', MINI_CLUSTER_STEP: '', ...env, IMPL: impl }, stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.pids.add(this.child.pid!);
    everyone.add(this);
    let buffer = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        const record = JSON.parse(line) as Rec;
        if (record.type === 'fork') this.pids.add(record.pid);
        if (record.type === 'listening') this.port ||= record.port;
        this.records.push(record);
        for (const wake of this.waiters) wake();
      }
    });
    this.child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => {
      resolve(code);
      for (const wake of this.waiters) wake();
    }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  of(type: string): Rec[] {
    return this.records.filter((r) => r.type === type);
  }

  /** Waits until `test` finds something in the records; rejects after `timeoutMs` or if the primary exits first. */
  until<T>(what: string, test: (records: Rec[]) => T | undefined | false, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const value = test(this.records);
        if (value !== undefined && value !== false) return finish(() => resolve(value as T));
        if (!this.alive) finish(() => reject(new Error(`${this.impl}: primary exited while waiting for ${what}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`${this.impl}: no ${what} within ${timeoutMs} ms`))), timeoutMs);
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Live workers that are ready to serve: ready, and not exited since. */
  readyWorkers(): { id: number; pid: number }[] {
    const gone = new Set(this.of('exit').map((r) => r.id));
    return this.of('ready').filter((r) => !gone.has(r.id)).map(({ id, pid }) => ({ id, pid }));
  }

  command(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  signal(signal: NodeJS.Signals): void {
    process.kill(this.pid, signal);
  }

  /** SIGKILL the primary and every worker it ever reported. */
  kill(): void {
    for (const pid of this.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    everyone.delete(this);
  }
}

/** Start a primary and wait until its workers listen. */
export async function startPrimary(impl: Impl, env: Record<string, string> = {}, script = PRIMARY): Promise<Primary> {
  const primary = new Primary(impl, env, script);
  await primary.until('start', (rs) => rs.some((r) => r.type === 'started'), 40_000);
  return primary;
}

/** For 'exit' and signal handlers: nothing we started may outlive the script. */
export function killEveryone(): void {
  for (const primary of everyone) primary.kill();
}
