/**
 * One primary program in a process of its own, as the specs, the
 * resilience runs and the benchmarks start them: it prints one JSON object
 * per line on stdout (records), takes commands as lines on stdin, and every
 * pid it names (a record with a numeric `pid`: its workers) is killed by
 * kill(), with its own, so that nothing outlives the run.
 *
 * Mirrors: nothing — a test and benchmark helper
 * Read next: test/helpers/run-scenario.ts, scripts/resilience/run.ts (its users)
 */
import { spawn, type ChildProcess } from 'node:child_process';

export type Rec = Record<string, any> & { type?: string };

export interface PrimaryProcessOptions {
  /** The program and its arguments, after `node` (e.g. ['--import', 'tsx', file]). */
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Each record as it arrives (before anyone waiting on it is woken). */
  onRecord?: (record: Rec) => void;
}

/** Every process started here and not yet killed, for exit handlers. */
const everyone = new Set<PrimaryProcess>();

export class PrimaryProcess {
  readonly records: Rec[] = [];
  /** The primary and every pid its records named. */
  readonly pids = new Set<number>();
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  stderr = '';
  protected readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();

  constructor(options: PrimaryProcessOptions) {
    this.child = spawn(process.execPath, options.args, {
      cwd: options.cwd,
      // Our own trace and step-through stay off unless a caller turns them on.
      env: { ...process.env, MINI_CLUSTER_TRACE: '', MINI_CLUSTER_STEP: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.pids.add(this.child.pid!);
    everyone.add(this);
    let buffer = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let record: Rec;
        try {
          record = JSON.parse(line) as Rec;
        } catch {
          this.stderr += `[stdout] ${line}\n`;
          continue;
        }
        if (typeof record.pid === 'number') this.pids.add(record.pid);
        this.records.push(record);
        options.onRecord?.(record);
        for (const wake of this.waiters) wake();
      }
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.child.stdin!.on('error', () => {}); // the primary may be gone already
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => {
      resolve({ code, signal });
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

  /** Resolves once `test(records)` gives something; rejects after `timeoutMs`, or if the primary exits first. */
  until<T>(what: string, test: (records: Rec[]) => T | undefined | false, timeoutMs = 15_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const value = test(this.records);
        if (value !== undefined && value !== false) return done(() => resolve(value as T));
        if (!this.alive) done(() => reject(this.error(`primary exited before: ${what}`)));
      };
      const timer = setTimeout(() => done(() => reject(this.error(`timed out (${timeoutMs} ms) waiting for: ${what}`))), timeoutMs);
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The first record of `type` matching `match`, waiting for it. */
  next(type: string, match: (r: Rec) => boolean = () => true, timeoutMs?: number): Promise<Rec> {
    return this.until(type, (rs) => rs.find((r) => r.type === type && match(r)), timeoutMs);
  }

  /** One line on the primary's stdin. */
  command(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** Close the primary's stdin (a scenario that reads its input to the end). */
  endInput(text = ''): void {
    this.child.stdin!.end(text);
  }

  signal(signal: NodeJS.Signals): void {
    process.kill(this.pid, signal);
  }

  /** Resolves with the exit, or rejects after `timeoutMs`. */
  exit(timeoutMs = 15_000): Promise<{ code: number | null; signal: string | null }> {
    return Promise.race([this.exited, new Promise<never>((_, reject) => setTimeout(() => reject(this.error('primary did not exit')), timeoutMs).unref())]);
  }

  /** SIGKILL the primary and every pid it named. */
  kill(): void {
    killAll(this.pids);
    everyone.delete(this);
  }

  error(message: string): Error {
    const seen = this.records.filter((r) => r.type !== 'health').map((r) => JSON.stringify(r)).join('\n');
    return new Error(`${message}\n--- records\n${seen}\n--- stderr\n${this.stderr.slice(-3000)}`);
  }
}

/** For 'exit' and signal handlers: nothing started here may outlive the script. */
export function killEveryone(): void {
  for (const primary of everyone) primary.kill();
}

export function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Whether a process with this pid still exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
