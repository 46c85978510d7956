/**
 * Plumbing the lessons share, so each main.ts can show its one idea: flags,
 * a safety deadline, killing what we started by pid, a fresh-connection
 * HTTP GET, and reading a process's wakeup count from /proc.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/README.md (the index), then lessons/01-one-process-one-core
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { pausedMs } from '../../src/step.ts';

// ---- command-line flags: `npm run lesson 5 -- --workers 3 --no-strace` ----

/** True if `--name` was given. */
export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

/** The number after `--name` (or in `--name=value`), else `fallback`. */
export function option(name: string, fallback: number): number {
  const args = process.argv;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === `--${name}` && i + 1 < args.length) return Number(args[i + 1]);
    if (arg.startsWith(`--${name}=`)) return Number(arg.slice(name.length + 3));
  }
  return fallback;
}

// ---- the processes a lesson starts, and how it ends ----

/** Anything with a pid that we started and must stop: ChildProcess, worker.process. */
interface Started { pid?: number; exitCode: number | null; signalCode: NodeJS.Signals | null; kill(signal?: NodeJS.Signals): boolean }

const started: Started[] = [];

/** Remember a process we started, so finish() and the deadline can kill it. */
export function track<T extends Started>(child: T): T {
  started.push(child);
  return child;
}

/** SIGKILL every tracked process that is still running, by its own pid. */
export function killAll(): void {
  for (const child of started) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // ESRCH: it exited between the check and the kill.
    }
  }
}

/**
 * A lesson must end by itself. If it is still running after `ms`, say so,
 * kill what it started and exit with an error, so a check never hangs.
 * The timer is unref'ed: a lesson that finished normally is not held up.
 */
export function deadline(ms = 15_000): void {
  // Stepping through (npm run lesson N -- --step) waits for you at every
  // message: the time at a prompt does not count (after()), so you may
  // read as long as you like, and a lesson that hangs is still stopped.
  after(ms, () => {
    console.error(`lesson: still running after ${ms} ms${steppingThrough() ? ' (not counting the pauses at a prompt)' : ''}, stopping (the machine may be too busy, or the lesson is stuck)`);
    killAll();
    process.exit(1);
  }, { unref: true });
  // Ctrl-C in the terminal: take the children down with us.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** True when the engine will pause before each message (MINI_CLUSTER_STEP, src/step.ts). */
export function steppingThrough(): boolean {
  const mode = process.env.MINI_CLUSTER_STEP;
  return mode === 'pipe' || (mode === '1' && process.stdin.isTTY === true);
}

/** End the lesson: kill anything still running, then exit with `code`. */
export function finish(code = 0): never {
  killAll();
  process.exit(code);
}

// ---- the lesson's own timers: stepping through leaves the pauses out ----

/**
 * Run `fire` after `ms` of the lesson's running time. While stepping
 * through (--step), the time the primary spends waiting at a prompt does
 * not count, so no timer of the lesson runs out while you read. Returns a
 * function that cancels it.
 */
export function after(ms: number, fire: () => void, options: { unref?: boolean } = {}): () => void {
  const stepping = steppingThrough();
  const start = performance.now();
  const pausedAtStart = stepping ? pausedMs() : 0;
  let timer: NodeJS.Timeout;
  const arm = (delay: number): void => {
    timer = setTimeout(check, delay);
    if (options.unref) timer.unref();
  };
  function check(): void {
    const running = performance.now() - start - (stepping ? pausedMs() - pausedAtStart : 0);
    if (!stepping || running >= ms) fire();
    else arm(ms - running); // a pause happened meanwhile: wait out the rest
  }
  arm(ms);
  return () => clearTimeout(timer);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => void after(ms, resolve));

// ---- a client that opens one new TCP connection per request ----

export interface Reply { status: number; body: string; ms: number }

/**
 * GET http://127.0.0.1:<port><path> on a connection of its own (agent: false),
 * so every call is a new connection the cluster has to place somewhere; or,
 * given a keep-alive agent, on that agent's connection.
 */
export function get(port: number, path = '/', timeoutMs = 5_000, agent: http.Agent | false = false): Promise<Reply> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - start }));
    });
    const giveUp = (): void => void req.destroy(new Error(`no reply within ${timeoutMs} ms`));
    // Stepping: the pauses at a prompt do not count against the reply (see after()).
    if (steppingThrough()) req.on('close', after(timeoutMs, giveUp));
    else req.setTimeout(timeoutMs, giveUp);
    req.on('error', reject);
  });
}

// ---- Linux's per-process counters ----

/**
 * How many times the process's main thread went to sleep and was woken up
 * (`voluntary_ctxt_switches` in /proc/<pid>/status). An idle event loop
 * sleeps in epoll_wait, so each increase is one wakeup. null off Linux.
 */
export function wakeups(pid: number): number | null {
  try {
    const match = /^voluntary_ctxt_switches:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

// ---- client lanes: steady load while something happens to the workers ----

export interface LoadResult {
  ok: number;
  /** Failed requests by kind: an errno code (ECONNRESET, ECONNREFUSED, ...), 'timeout' or 'status <n>'. */
  failed: Map<string, number>;
  /** Answered requests by response body (lessons answer with the worker's pid). */
  bodies: Map<string, number>;
}


/**
 * Start `lanes` clients that each send requests one after another until
 * stop(): every request on a new connection, or, for `keepAliveLanes`, each
 * lane on one keep-alive connection of its own (as autocannon does). Each
 * lane waits for its answer before the next request (a closed loop).
 */
export function startLoad(port: number, options: { lanes: number; keepAliveLanes?: number; timeoutMs?: number }): { stop(): Promise<LoadResult> } {
  const { lanes, keepAliveLanes = 0, timeoutMs = 3_000 } = options;
  const result: LoadResult = { ok: 0, failed: new Map(), bodies: new Map() };
  let stopped = false;
  const count = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);
  const lane = async (keepAlive: boolean): Promise<void> => {
    const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : null;
    while (!stopped) {
      try {
        const reply = await get(port, '/', timeoutMs, agent ?? false);
        if (reply.status !== 200) count(result.failed, `status ${reply.status}`);
        else (result.ok++, count(result.bodies, reply.body.trim()));
      } catch (error) {
        const err = error as NodeJS.ErrnoException;
        count(result.failed, err.code ?? (err.message.startsWith('no reply') ? 'timeout' : err.message));
      }
    }
    agent?.destroy();
  };
  const running = Promise.all([
    ...Array.from({ length: lanes }, () => lane(false)),
    ...Array.from({ length: keepAliveLanes }, () => lane(true)),
  ]);
  return { stop: async () => ((stopped = true), await running, result) };
}

/** The failures of a load as "ECONNRESET 2, timeout 1", and their total. */
export function failures(result: LoadResult): { total: number; text: string } {
  const total = [...result.failed.values()].reduce((a, b) => a + b, 0);
  return { total, text: [...result.failed].map(([kind, n]) => `${kind} ${n}`).join(', ') };
}
