/**
 * The clients of `npm run choosing`: a held keep-alive connection that
 * learns which worker it reached, churn lanes that count every failure by
 * its kind, and a flood that opens thousands of connections at once.
 * Workers answer with their pid, so the split is the workers' own word.
 *
 * Mirrors: nothing — a measuring helper
 * Read next: scripts/choosing/main.ts (who uses them)
 *
 *   hold(port)  => connect, GET /, read the pid, keep the socket open
 *   load(port)  => lanes of connect → GET → close, until stop(): ok and failures by kind
 *   flood(port) => n connections at once, each GET / and wait: served, or how it ended
 */
import net from 'node:net';
import { oneRequest } from '../compare/churn-client.ts';

const GET = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

/** One keep-alive connection with one answered request; the socket stays open. `pid`: the body as a number. */
export function hold(port: number, localAddress?: string): Promise<{ socket: net.Socket; pid: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    const timer = setTimeout(() => (socket.destroy(), reject(new Error('no answer within 5 s'))), 5_000);
    let data = '';
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.write(GET));
    socket.on('data', (chunk: string) => {
      data += chunk;
      const split = data.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(data)?.[1] ?? -1);
      if (split < 0 || length < 0 || data.length < split + 4 + length) return;
      clearTimeout(timer);
      const body = data.slice(split + 4, split + 4 + length);
      resolve({ socket, pid: Number(body), body });
    });
    socket.on('error', (error) => (clearTimeout(timer), reject(error)));
  });
}

/** How a request failed: the errno code (ECONNRESET, ...), 'closed unanswered', 'timeout', or the status. */
export function failureKind(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code) return e.code;
  if (/no response within/.test(e.message)) return 'timeout';
  if (/unexpected response: ""/.test(e.message)) return 'closed unanswered';
  return e.message.slice(0, 40);
}

export interface LoadResult { ok: number; failed: Map<string, number> }

/** `lanes` closed loops of one request per connection, lane i from sources[i % n], until stop(). */
export function load(port: number, lanes: number, sources: readonly string[] = []): { stop(): Promise<LoadResult> } {
  const result: LoadResult = { ok: 0, failed: new Map() };
  let stopped = false;
  const lane = async (i: number): Promise<void> => {
    const from = sources.length ? sources[i % sources.length] : undefined;
    while (!stopped) {
      try {
        await oneRequest(port, 5_000, '/', from);
        result.ok++;
      } catch (error) {
        const kind = failureKind(error);
        result.failed.set(kind, (result.failed.get(kind) ?? 0) + 1);
      }
    }
  };
  const running = Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
  return { stop: async () => ((stopped = true), await running, result) };
}

export type Outcome = 'served' | string;

/**
 * Open `n` connections as fast as the loop allows (from `sources` in turn),
 * each sending one GET and waiting up to `timeoutMs` for the answer.
 * `opened` resolves once every connect() was called; `done` with the outcomes.
 */
export function flood(port: number, n: number, sources: readonly string[], timeoutMs: number): { opened: Promise<void>; done: Promise<Map<Outcome, number>> } {
  const outcomes: Promise<Outcome>[] = [];
  const one = (i: number): Promise<Outcome> => new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: sources[i % sources.length] });
    let answer = '';
    let settled = false;
    const settle = (how: Outcome): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(how);
    };
    socket.setEncoding('latin1');
    socket.setTimeout(timeoutMs, () => settle('timeout'));
    socket.on('connect', () => socket.write(GET));
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.includes('\r\n\r\n')) settle(answer.startsWith('HTTP/1.1 200') ? 'served' : 'other answer');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? 'error'));
    socket.on('close', () => settle('closed unanswered'));
  });
  const opened = (async () => {
    for (let i = 0; i < n; i++) {
      outcomes.push(one(i));
      if (i % 250 === 249) await new Promise((resolve) => setImmediate(resolve)); // let the loop breathe
    }
  })();
  const done = opened.then(async () => {
    const counts = new Map<Outcome, number>();
    for (const how of await Promise.all(outcomes)) counts.set(how, (counts.get(how) ?? 0) + 1);
    return counts;
  });
  return { opened, done };
}
