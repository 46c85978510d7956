// The load clients of the resilience runs. Each request is recorded with
// its own times (start, TCP connect, end) on the script's clock, so a run
// can ask "was this request already accepted when the signal went out?".
// Mirrors: nothing — teaching helper
// Read next: scripts/resilience/scenarios.ts
//
// fresh:     `lanes` loops of connect → GET (Connection: close) → read to EOF
// keepalive: `lanes` loops of GET on one http.Agent socket each, reused
import http from 'node:http';
import { connect, type Socket } from 'node:net';

export interface Outcome {
  start: number; // Date.now() when the request began
  connect: number | null; // when its TCP connection was established (null: never)
  end: number;
  ok: boolean; // a 200 with the whole body (Content-Length checked)
  error?: string;
  pid?: number; // the worker that answered
}

const REQUEST = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;

/** One request on a new TCP connection; never rejects. */
export function freshRequest(port: number, path = '/', timeoutMs = 5_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { start: Date.now(), connect: null, end: 0, ok: false };
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    let response = '';
    socket.setEncoding('latin1');
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('timeout')));
    socket.on('connect', () => {
      outcome.connect = Date.now();
      socket.write(REQUEST(path));
    });
    socket.on('data', (chunk: string) => (response += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => (outcome.error ??= error.code ?? error.message));
    socket.on('close', () => {
      outcome.end = Date.now();
      const complete = parse(response);
      if (complete !== null) Object.assign(outcome, { ok: true, pid: complete, error: undefined });
      else outcome.error ??= response === '' ? 'closed without a response' : 'incomplete response';
      resolve(outcome);
    });
  });
}

/** The worker pid from a complete 200 response, or null if it is not one. */
function parse(response: string): number | null {
  const split = response.indexOf('\r\n\r\n');
  if (!response.startsWith('HTTP/1.1 200') || split < 0) return null;
  const length = /\r\ncontent-length: (\d+)/i.exec(response.slice(0, split));
  const body = response.slice(split + 4);
  if (length === null || body.length !== Number(length[1])) return null;
  return Number(body.trim());
}

/** One GET through a keep-alive agent (the socket is reused across calls); never rejects. */
function agentRequest(port: number, agent: http.Agent, connectedAt: WeakMap<Socket, number>, timeoutMs = 5_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { start: Date.now(), connect: null, end: 0, ok: false };
    const done = (): void => resolve({ ...outcome, end: Date.now() });
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode === 200 && body.length === Number(res.headers['content-length'])) Object.assign(outcome, { ok: true, pid: Number(body.trim()) });
        else outcome.error = `status ${res.statusCode}, ${body.length} bytes`;
        done();
      });
      res.on('error', (error: NodeJS.ErrnoException) => {
        outcome.error = error.code ?? error.message;
        done();
      });
    });
    req.on('socket', (socket: Socket) => {
      const known = connectedAt.get(socket);
      if (known !== undefined) return void (outcome.connect = known); // reused: connected long ago
      socket.once('connect', () => connectedAt.set(socket, (outcome.connect = Date.now())));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => {
      outcome.error = error.code ?? error.message;
      done();
    });
  });
}

export interface Load {
  /** Ask the lanes to stop after their current request; resolves with every outcome. */
  stop(): Promise<Outcome[]>;
}

/** `lanes` sequential loops, bounded by `maxRequests` in all; runs until stop(). */
function lanes(count: number, maxRequests: number, one: (lane: number) => Promise<Outcome>, cleanup = (): void => {}): Load {
  const outcomes: Outcome[] = [];
  let stopping = false;
  const lane = async (index: number): Promise<void> => {
    while (!stopping && outcomes.length < maxRequests) outcomes.push(await one(index));
  };
  const running = Promise.all(Array.from({ length: count }, (_, i) => lane(i)));
  return {
    async stop() {
      stopping = true;
      await running;
      cleanup();
      return outcomes;
    },
  };
}

/** New-connection-per-request load. */
export function freshLoad(port: number, count: number, maxRequests = 500_000): Load {
  return lanes(count, maxRequests, () => freshRequest(port));
}

/** Keep-alive load: one persistent connection per lane (a new one only when the server closes it). */
export function keepAliveLoad(port: number, count: number, maxRequests = 500_000): Load {
  const agents = Array.from({ length: count }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const connectedAt = new WeakMap<Socket, number>();
  return lanes(count, maxRequests, (lane) => agentRequest(port, agents[lane]!, connectedAt), () => agents.forEach((a) => a.destroy()));
}

/** Counts by outcome: ok, failed, and the failures by error. */
export function tally(outcomes: Outcome[]): { total: number; ok: number; failed: number; errors: Record<string, number> } {
  const errors: Record<string, number> = {};
  for (const o of outcomes) if (!o.ok) errors[o.error ?? '?'] = (errors[o.error ?? '?'] ?? 0) + 1;
  const ok = outcomes.filter((o) => o.ok).length;
  return { total: outcomes.length, ok, failed: outcomes.length - ok, errors };
}

/**
 * What a keep-alive client of our own saw. Unlike autocannon, it knows
 * which requests it wrote to a connection the server then closed without
 * answering: `lost` (closed quietly) or `reset` (ECONNRESET, EPIPE).
 */
export interface KeepAliveTally {
  written: number; // requests written to a socket
  answered: number; // complete 200 responses
  lost: number; // written, then the connection closed without an answer and without an error
  reset: number; // written, then the connection failed with an error
  other: number; // anything else (a bad status, a truncated body)
  opened: number; // connections opened, the first ones included
}

/**
 * `count` connections, each sending GET after GET as fast as the answers
 * come (one request in flight per connection). A response with
 * `Connection: close` is read to its end, then the lane opens a new
 * connection, as a browser or an agent would. Runs until stop().
 */
export function rawKeepAliveLoad(port: number, count: number): { stop(): Promise<KeepAliveTally> } {
  const tally: KeepAliveTally = { written: 0, answered: 0, lost: 0, reset: 0, other: 0, opened: 0 };
  let stopping = false;
  const lane = (): Promise<void> => new Promise((resolveLane) => {
    const open = (): void => {
      if (stopping) return resolveLane();
      tally.opened++;
      const socket = connect({ port, host: '127.0.0.1', noDelay: true });
      socket.setEncoding('latin1');
      let buffer = '';
      let outstanding = false;
      let error: string | undefined;
      let closing = false; // the last response said Connection: close
      const send = (): void => {
        if (stopping) return void socket.end();
        outstanding = true;
        tally.written++;
        socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      };
      socket.on('connect', send);
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        const split = buffer.indexOf('\r\n\r\n');
        if (split < 0) return;
        const head = buffer.slice(0, split);
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? -1);
        if (length < 0 || buffer.length < split + 4 + length) return;
        buffer = buffer.slice(split + 4 + length);
        outstanding = false;
        if (head.startsWith('HTTP/1.1 200')) tally.answered++;
        else tally.other++;
        closing = /\r\nconnection: close/i.test(head);
        if (!closing) send(); // else wait for the server's FIN, then reconnect
      });
      socket.on('error', (err: NodeJS.ErrnoException) => (error ??= err.code ?? err.message));
      socket.on('close', () => {
        if (outstanding) {
          if (error !== undefined) tally.reset++;
          else tally.lost++;
        }
        open();
      });
    };
    open();
  });
  const running = Promise.all(Array.from({ length: count }, lane));
  return {
    async stop() {
      stopping = true;
      await running;
      return tally;
    },
  };
}
