/**
 * Draining an HTTP server's keep-alive connections when its worker leaves,
 * so that no request already on its way is lost: every response from now
 * on says `Connection: close` (the client then opens its next connection
 * elsewhere), and a connection that stays silent for a grace period is
 * closed. One mechanism for the engine (child.ts `_disconnect`) and for the
 * supervisor's drain (src/supervisor/health.ts).
 *
 * Mirrors: httpServerPreClose() and closeIdleConnections() in lib/_http_server.js
 *          (Node v20), which it replaces when a cluster worker leaves (DIVERGENCE)
 * Read next: src/worker/child.ts (_disconnect)
 *
 *   Node ≥ 19:  server.close() => closeIdleConnections(): each idle keep-alive
 *               socket is destroyed at once, even if the client has just
 *               written its next request into it (ECONNRESET, or lost unseen)
 *   here:       drainConnections() => next response on each socket: Connection: close
 *                                  => a socket silent for graceMs: destroyed
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Server, Socket } from 'node:net';

/** How long a silent keep-alive connection of a leaving worker may stay open (a setting: drainGraceMs). */
export const DEFAULT_DRAIN_GRACE_MS = 1000;

/**
 * The drain's state lives on the server under a global symbol, so the engine
 * and the supervisor's helper share it even when each has its own copy of
 * this module (dist/index.cjs and dist/supervisor.cjs are separate bundles).
 */
const kDrain = Symbol.for('mini-cluster:drain');

interface DrainState {
  /** Every open connection of the server, from the moment tracking began. */
  sockets: Set<Socket>;
  /** Set once draining began: resolves when the connections open then have closed. */
  drained?: Promise<void>;
}

type Tracked = HttpServer & { [kDrain]?: DrainState };

/** An HTTP (or HTTPS) server: the servers whose keep-alive connections we drain. */
export function isHttpServer(server: Server): server is HttpServer {
  return typeof (server as Partial<HttpServer>).closeIdleConnections === 'function';
}

/**
 * Keep the set of the server's open connections (one Set entry per
 * connection, nothing per request). Call it before connections arrive;
 * calling it again returns the same set.
 */
export function trackConnections(server: HttpServer): Set<Socket> {
  const tracked = server as Tracked;
  if (tracked[kDrain] !== undefined) return tracked[kDrain].sockets;
  const state: DrainState = { sockets: new Set() };
  tracked[kDrain] = state;
  server.on('connection', (socket: Socket) => {
    state.sockets.add(socket);
    socket.once('close', () => state.sockets.delete(socket));
  });
  return state.sockets;
}

/**
 * Start draining: from now on every response closes its connection, and
 * every connection that stays silent for `graceMs` is closed. Resolves once
 * the connections open at this moment have all closed. It does not stop the
 * server listening (the caller closes it, or keeps it open as the
 * supervisor's helper does until disconnect). Calling it again returns the
 * same promise.
 */
export function drainConnections(server: HttpServer, graceMs = DEFAULT_DRAIN_GRACE_MS): Promise<void> {
  const sockets = trackConnections(server);
  const state = (server as Tracked)[kDrain]!;
  if (state.drained !== undefined) return state.drained;

  // Requests from now on: the response says `Connection: close`, and Node
  // closes the socket once it is sent. prependListener: before the user's
  // handler, which may answer at once.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('connection', 'close');
  });
  // Connections that arrive while draining (the supervisor's helper drains
  // before the server stops listening) answer once and close, like the rest.
  server.on('connection', (socket: Socket) => closeWhenSilent(socket, graceMs));

  const open = [...sockets];
  for (const socket of open) {
    // A request being answered right now: its response can still say close.
    const res = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (res != null && !res.headersSent) res.setHeader('connection', 'close');
    closeWhenSilent(socket, graceMs);
  }
  state.drained = Promise.all(open.map((socket) => new Promise<void>((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  }))).then(() => undefined);
  return state.drained;
}

/**
 * Close `socket` once nothing has been read from it for a whole `graceMs`
 * and no response is being written on it. A client that writes its next
 * request during the grace is answered (with `Connection: close`). A
 * request that never ends is not ours to cut: that is the kill timeout's
 * business.
 */
function closeWhenSilent(socket: Socket, graceMs: number): void {
  let lastRead = socket.bytesRead;
  const timer = setInterval(() => {
    const busy = (socket as Socket & { _httpMessage?: unknown })._httpMessage != null;
    if (busy || socket.bytesRead !== lastRead) {
      lastRead = socket.bytesRead;
      return;
    }
    socket.destroy();
  }, graceMs);
  timer.unref(); // the socket itself keeps the worker alive while it is open
  socket.once('close', () => clearInterval(timer));
}
