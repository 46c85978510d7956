/**
 * Specifies the worker's side of listening and of handoffs (src/worker/child.ts):
 * the `index` each listen() sends in its queryServer (counted per address and
 * port, given back when a server closes or a listen fails), and onconnection,
 * which answers every newconn with {accepted} and hands the connections it
 * accepts to the server, refusing them at maxConnections or once the server
 * is closed.
 *
 * The worker code runs in this very process (vitest gives each spec file its
 * own): `process` is its channel, and a fake primary stands at the other end.
 * It reads what the worker sends (process.send, caught before it reaches the
 * real channel) and answers as child_process would deliver it, with an
 * 'internalMessage' event. The connections handed over are real: a raw
 * listening TCP handle on 127.0.0.1, port 0, accepts them, as the primary's
 * RoundRobinHandle does.
 */
import net from 'node:net';
import os from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CMD, type Envelope, type RawHandle } from '../../src/ipc.ts';
import { WORKER_ID_ENV } from '../../src/worker.ts';
import { cluster } from '../../src/worker/child.ts';

const UV_EADDRINUSE = -os.constants.errno.EADDRINUSE;
const nodeMajor = Number(process.versions.node.split('.')[0]);

/** Resolves when `ready()` returns a value; fails after `ms` with `what`. */
async function waitFor<T>(ready: () => T | undefined, what: string, ms = 2_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = ready();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The primary's end of the channel. */
const primary = {
  /** Everything the worker sent, oldest first. */
  received: [] as Envelope[],
  seq: 0,
  /** Deliver a message to the worker, as child_process does: an 'internalMessage' event. */
  send(message: Record<string, unknown>, handle?: RawHandle): number {
    const seq = this.seq++;
    process.emit('internalMessage' as 'message', { cmd: CMD, ...message, seq }, handle as never);
    return seq;
  },
  /** The first message the worker sent after `from` (an index into `received`) that `match`es. */
  async next(match: (m: Envelope) => boolean, what: string, from = 0): Promise<Envelope> {
    return waitFor(() => this.received.slice(from).find(match), what);
  },
};

// ---- the worker, set up in this process ----

const originalSend = process.send;
const hadChannel = process.connected === true;
let added: { event: string; listener: (...args: unknown[]) => void }[] = [];

beforeAll(() => {
  // The worker's messages go to the fake primary; anything else (vitest's
  // own traffic on this process's channel) goes on as before.
  process.send = function (this: NodeJS.Process, message: unknown, ...rest: unknown[]): boolean {
    if ((message as Envelope | null)?.cmd === CMD) {
      primary.received.push(message as Envelope);
      return true;
    }
    return (originalSend as (...args: unknown[]) => boolean).call(this, message, ...rest);
  } as NodeJS.Process['send'];
  if (!hadChannel) Object.defineProperty(process, 'connected', { value: true, configurable: true });

  const before = new Map(['disconnect', 'internalMessage'].map((e) => [e, process.listeners(e as 'disconnect')]));
  process.env[WORKER_ID_ENV] = '1';
  cluster._setupWorker();
  // What _setupWorker added to `process`, to take off again afterwards.
  added = [...before].flatMap(([event, old]) =>
    process.listeners(event as 'disconnect').filter((l) => !old.includes(l)).map((listener) => ({ event, listener: listener as (...args: unknown[]) => void })));
});

afterAll(() => {
  for (const { event, listener } of added) process.off(event, listener);
  process.send = originalSend;
  if (!hadChannel) delete (process as { connected?: boolean }).connected;
  acceptor?.close();
});

// ---- servers and connections ----

const servers: net.Server[] = [];
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  })));
});

/** The primary's sockname for a reply: the port asked for, or one it picked for port 0. */
function socknameFor(query: Envelope): { address: string; family: string; port: number } {
  const port = query.port as number;
  return { address: (query.address as string | null) ?? '0.0.0.0', family: 'IPv4', port: port > 0 ? port : 40_000 + (query.index as number) };
}

/**
 * listen() on a new server; the fake primary answers its queryServer the way
 * a round-robin primary does (the key, its sockname) or with `errno`.
 * Without a host, net asks the cluster at once, inside listen(): an error
 * in the worker's code then fails the spec at once, too.
 */
async function listen(port = 0, host?: string, { errno = null as number | null } = {}): Promise<{ server: net.Server; query: Envelope; key: string }> {
  const server = net.createServer((socket) => socket.pipe(socket)); // an echo server
  servers.push(server);
  const from = primary.received.length;
  if (host === undefined) server.listen(port);
  else server.listen(port, host);
  const query = await primary.next((m) => m.act === 'queryServer', 'the queryServer of listen()', from);
  const key = `${query.address}:${query.port}:${query.addressType}:${query.fd}:${query.index}`;
  const settled = new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', errno === null ? reject : () => resolve());
  });
  primary.send(errno === null
    ? { errno: null, key, ack: query.seq, data: null, sockname: socknameFor(query) }
    : { errno, key, ack: query.seq, data: null });
  await within(settled, "the server's 'listening'");
  return { server, query, key };
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

// A raw listening handle, as the primary holds one: each client that
// connects to it arrives as a raw TCP handle, ready to be handed over.
const createServerHandle = (net as unknown as { _createServerHandle(address: string, port: number, addressType: number): RawHandle | number })._createServerHandle;
type AcceptorHandle = RawHandle & { listen(backlog: number): number; getsockname(out: { port?: number }): number; onconnection: (err: number, client: RawHandle) => void };
let acceptor: AcceptorHandle | undefined;
const accepted: RawHandle[] = [];

function acceptorPort(): number {
  if (acceptor === undefined) {
    const handle = createServerHandle('127.0.0.1', 0, 4);
    if (typeof handle === 'number') throw new Error(`could not bind 127.0.0.1:0 (${handle})`);
    acceptor = handle as AcceptorHandle;
    acceptor.onconnection = (err, client) => void (err === 0 && accepted.push(client));
    acceptor.listen(16);
  }
  const out: { port?: number } = {};
  acceptor.getsockname(out);
  return out.port!;
}

/** A real client connection: the client's socket, and the raw handle the primary accepted for it. */
async function clientConnection(): Promise<{ client: net.Socket; handle: RawHandle & { closed: boolean } }> {
  const client = net.connect(acceptorPort(), '127.0.0.1');
  client.on('error', () => {}); // a refused client may see ECONNRESET
  sockets.push(client);
  const raw = await waitFor(() => accepted.shift(), 'the primary to accept the client');
  // Note when the worker closes the handle it was given (a refusal does).
  const handle = Object.assign(raw, { closed: false });
  const closeHandle = raw.close.bind(raw);
  handle.close = (cb?: () => void) => ((handle.closed = true), closeHandle(cb));
  return { client, handle };
}

/** Hand `handle` to the worker as a newconn on `key`; resolves with the worker's answer. */
async function newconn(key: string, handle: RawHandle): Promise<Envelope> {
  const seq = primary.send({ act: 'newconn', key }, handle);
  return primary.next((m) => m.ack === seq, `the answer to newconn seq ${seq}`);
}

/** `promise`, or a failure naming `what` after 2 s. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 2_000)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What the client gets back for 'ping': the worker's echo server holds the connection. */
function echoes(client: net.Socket): Promise<string> {
  const answer = new Promise<string>((resolve) => client.once('data', (data) => resolve(String(data))));
  client.write('ping');
  return within(answer, 'the echo');
}

/** The client's connection ends (the worker closed it). */
function ended(client: net.Socket): Promise<void> {
  return within(new Promise((resolve) => (client.destroyed ? resolve() : client.once('close', () => resolve()))), 'the client to see its connection end');
}

// ---- the specs ----

describe('the worker side of listen()', () => {
  it("sends the primary a queryServer with the address, port, addressType and index 0 for a first listen(0, '127.0.0.1')", async () => {
    const { query } = await listen(0, '127.0.0.1');
    expect(query).toMatchObject({ act: 'queryServer', index: 0, address: '127.0.0.1', port: 0, addressType: 4 });
  });

  it('gives a second listen on the same address and port index 1, so that the primary makes it a new key', async () => {
    await listen();
    const { query } = await listen();
    expect(query.index).toBe(1);
  });

  it('counts each address and port on its own', async () => {
    await listen(0);
    const otherPort = await listen(45_123);
    const otherAddress = await listen(0, '127.0.0.1');
    const third = await listen(0);
    expect([otherPort.query.index, otherAddress.query.index, third.query.index]).toEqual([0, 0, 1]);
  });

  it('restarts the numbering at 0 once every server on the address and port has closed', async () => {
    const a = await listen();
    const b = await listen();
    await close(a.server);
    await close(b.server);
    const { query } = await listen();
    expect(query.index).toBe(0);
  });

  it('keeps counting up while an earlier server on the address and port is still open', async () => {
    const a = await listen();
    await listen();
    await close(a.server);
    const { query } = await listen();
    expect(query.index).toBe(2);
  });

  it('gives the index of a failed listen back, so that a retry matches the other workers (DIVERGENCE: Node keeps it)', async () => {
    const failed = await listen(0, undefined, { errno: UV_EADDRINUSE });
    expect(failed.query.index).toBe(0);
    expect(failed.server.listening).toBe(false);
    const { query } = await listen();
    expect(query.index).toBe(0);
  });

  it('tells the primary the port it listens on, and the key of a server it closes', async () => {
    const from = primary.received.length;
    const { server, key } = await listen(0, '127.0.0.1');
    expect(await primary.next((m) => m.act === 'listening', "the 'listening' message", from)).toMatchObject({ port: 40_000, index: 0 });
    expect(server.address()).toMatchObject({ address: '127.0.0.1', port: 40_000 }); // the primary's socket
    await close(server);
    expect(await primary.next((m) => m.act === 'close', "the 'close' message", from)).toMatchObject({ key });
  });
});

describe('onconnection, the worker side of a handoff', () => {
  it("accepts a handed-off connection: answers {accepted: true} to the newconn's seq and serves the client", async () => {
    const { key } = await listen();
    const { client, handle } = await clientConnection();
    const answer = await newconn(key, handle);
    expect(answer).toMatchObject({ accepted: true });
    expect(await echoes(client)).toBe('ping');
    expect(handle.closed).toBe(false);
  });

  it("answers the primary before the server's 'connection' listeners run", async () => {
    const { server, key } = await listen();
    let answeredFirst: boolean | undefined;
    const seq = primary.seq;
    server.on('connection', () => (answeredFirst = primary.received.some((m) => m.ack === seq)));
    const { handle } = await clientConnection();
    await newconn(key, handle);
    await waitFor(() => answeredFirst, "the server's 'connection' event");
    expect(answeredFirst).toBe(true);
  });

  it('refuses a connection while the server is at maxConnections and closes its copy of it', async () => {
    const { server, key } = await listen();
    server.maxConnections = 1;
    const first = await clientConnection();
    expect(await newconn(key, first.handle)).toMatchObject({ accepted: true });
    const second = await clientConnection();
    expect(await newconn(key, second.handle)).toMatchObject({ accepted: false });
    expect(second.handle.closed).toBe(true);
    await ended(second.client); // the client sees its connection end
    expect(await echoes(first.client)).toBe('ping'); // the first is served on
  });

  it('accepts again once a connection has closed below maxConnections', async () => {
    const { server, key } = await listen();
    server.maxConnections = 1;
    const first = await clientConnection();
    await newconn(key, first.handle);
    first.client.destroy();
    await waitFor(() => ((server as unknown as { _connections: number })._connections === 0 ? true : undefined), 'the first connection to close');
    const next = await clientConnection();
    expect(await newconn(key, next.handle)).toMatchObject({ accepted: true });
    expect(await echoes(next.client)).toBe('ping');
  });

  it('refuses a connection for a server it has closed, whose close the primary has not seen yet', async () => {
    const { server, key } = await listen();
    await close(server);
    const { client, handle } = await clientConnection();
    expect(await newconn(key, handle)).toMatchObject({ accepted: false });
    expect(handle.closed).toBe(true);
    await ended(client);
  });

  it.runIf(nodeMajor >= 21)('refuses every connection when maxConnections is 0 (Node 21 and later)', async () => {
    const { server, key } = await listen();
    server.maxConnections = 0;
    const { handle } = await clientConnection();
    expect(await newconn(key, handle)).toMatchObject({ accepted: false });
  });

  it.runIf(nodeMajor < 21)('treats maxConnections 0 as no limit (Node 20)', async () => {
    const { server, key } = await listen();
    server.maxConnections = 0;
    const { client, handle } = await clientConnection();
    expect(await newconn(key, handle)).toMatchObject({ accepted: true });
    expect(await echoes(client)).toBe('ping');
  });
});
