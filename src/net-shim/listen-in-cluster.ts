/**
 * The net shim: in a worker, `server.listen()` asks the primary for the
 * socket instead of binding it, exactly where Node's net.js would.
 *
 * Mirrors: listenInCluster() and listenOnPrimaryHandle() in lib/net.js (Node v20)
 * Read next: src/worker/child.ts (_getServer, which sends queryServer)
 *
 *   server.listen(0, '127.0.0.1')        (Node's own code: argument forms,
 *     => lookup => listenInCluster()      validation, DNS; untouched)
 *     => server._listen2(...)            <= we step in here
 *     => cluster._getServer(...)          queryServer to the primary
 *     => server._handle = faux | shared; original _listen2 => 'listening'
 *
 * Why there: listenInCluster() is private to net.js, and in our workers it
 * believes it runs in a primary (Node's cluster sees no NODE_UNIQUE_ID), so
 * it calls `server._listen2()`, a method net.js keeps, in its own words, "to
 * avoid breaking code that wraps this method". We wrap it. We also wrap
 * listen() to learn `exclusive`, and close() to notice a listen given up.
 */
import net from 'node:net';
import os from 'node:os';
import util from 'node:util';
import type { ServerQuery } from '../ipc.ts';
import { reusePortSupported } from '../master/reuseport-handle.ts';
import type { ClusterHandle, GetServerCallback } from '../worker/child.ts';

type GetServer = (obj: net.Server, options: ServerQuery, cb: GetServerCallback) => void;
type Listen2 = (address: string | null, port: number | null, addressType: number | null, backlog?: number | false, fd?: number, flags?: number) => void;

const kExclusive = Symbol('mini-cluster:exclusive');
const kPipeOptions = Symbol('mini-cluster:pipeOptions');
const kListeningId = Symbol('mini-cluster:listeningId');
const kInstalled = Symbol.for('mini-cluster:netShim');

interface ShimmedServer extends net.Server {
  _handle: ClusterHandle | null;
  _listen2: Listen2;
  [kExclusive]?: boolean;
  [kPipeOptions]?: { readableAll?: boolean; writableAll?: boolean };
  [kListeningId]?: number;
}

const UV_EADDRINUSE = -os.constants.errno.EADDRINUSE;
const reusePortListen = reusePortSupported();

export function installNetShim(getServer: GetServer): void {
  const proto = net.Server.prototype as ShimmedServer & Record<symbol, unknown>;
  if (proto[kInstalled]) return;
  proto[kInstalled] = true;
  const { listen, close } = proto;
  const listen2 = proto._listen2;

  proto.listen = function (this: ShimmedServer, ...args: unknown[]) {
    const options = args[0] as { exclusive?: boolean; readableAll?: boolean; writableAll?: boolean } | null;
    const isObject = typeof options === 'object' && options !== null;
    // NODE ≥ 22.12: listen({ reusePort: true }) in a worker binds there, as exclusive does.
    this[kExclusive] = isObject && (Boolean(options.exclusive) || (reusePortListen && Boolean((options as { reusePort?: boolean }).reusePort)));
    this[kPipeOptions] = isObject ? { readableAll: options.readableAll, writableAll: options.writableAll } : undefined;
    this[kListeningId] = (this[kListeningId] ?? 0) + 1;
    return listen.apply(this, args as never);
  } as typeof proto.listen;

  proto.close = function (this: ShimmedServer, cb?: (err?: Error) => void) {
    this[kListeningId] = (this[kListeningId] ?? 0) + 1; // a listen still waiting for the primary is void
    return close.call(this, cb);
  } as typeof proto.close;

  proto._listen2 = function (this: ShimmedServer, address, port, addressType, backlog, fd, flags) {
    // `listen(handle)` set _handle already; `exclusive: true` binds here. NODE: both skip the primary.
    if (this._handle || this[kExclusive]) return listen2.call(this, address, port, addressType, backlog, fd, flags);
    const server = this;
    const listeningId = server[kListeningId];
    const query: ServerQuery = { address, port, addressType, fd, flags, backlog, ...server[kPipeOptions] };
    getServer(server, query, function listenOnPrimaryHandle(errno, handle, bindHere) {
      if (listeningId !== server[kListeningId]) {
        // listen() again or close() came first. DIVERGENCE: Node 20 calls
        // handle.close() here even when the reply was an error (handle null).
        handle?.close();
        return;
      }
      if (bindHere !== undefined) {
        // Ours, SCHED_REUSEPORT: net binds and listens itself, on the
        // primary's port, with SO_REUSEPORT (as exclusive: true would, alone).
        listen2.call(server, address, bindHere.port, addressType, backlog, fd, (flags ?? 0) | bindHere.flags);
        if (server._handle) bindHere.onbound(server._handle as never);
        else bindHere.onfailed();
        return;
      }
      errno = checkBindError(errno, port, handle);
      if (errno) {
        server.emit('error', exceptionWithHostPort(errno, 'bind', address, port));
        return;
      }
      server._handle = handle;
      listen2.call(server, address, port, addressType, backlog, fd, flags);
    });
  };
}

/**
 * A bind that failed silently would make listen() pick a random port, so
 * check the handle is bound to the port asked for. (Pipes have no getsockname.)
 */
function checkBindError(errno: number, port: number | null, handle: ClusterHandle | null): number {
  const getsockname = (handle as { getsockname?: (out: { port?: number }) => number } | null)?.getsockname;
  if (errno === 0 && port !== null && port > 0 && typeof getsockname === 'function') {
    const out: { port?: number } = {};
    errno = getsockname.call(handle, out);
    if (errno === 0 && port !== out.port) errno = UV_EADDRINUSE;
  }
  return errno;
}

/** The error shape lib/net.js gives a failed cluster listen: syscall 'bind'. */
function exceptionWithHostPort(errno: number, syscall: string, address: string | null, port: number | null): NodeJS.ErrnoException {
  const code = util.getSystemErrorName(errno);
  const details = port !== null && port > 0 ? ` ${address}:${port}` : address ? ` ${address}` : '';
  const ex = new Error(`${syscall} ${code}${details}`) as NodeJS.ErrnoException & { address?: string | null; port?: number };
  ex.errno = errno;
  ex.code = code;
  ex.syscall = syscall;
  ex.address = address;
  if (port) ex.port = port;
  return ex;
}
