/**
 * The faux handle: what a worker's net.Server holds as `_handle` under
 * round robin. It looks enough like a listening TCP handle for lib/net.js
 * (listen, close, ref, unref, getsockname), but there is no socket behind
 * it: connections arrive as `newconn` messages and are fed to `onconnection`.
 *
 * Mirrors: the `rr()` function in lib/internal/cluster/child.js (Node v20)
 * Read next: src/worker/child.ts (onconnection)
 */
import type { RawHandle, Sockname } from '../ipc.ts';

// The largest delay setInterval accepts: the timer never really fires.
const TIMEOUT_MAX = 2 ** 31 - 1;
const noop = (): void => {};

export class FauxHandle {
  /** Set by lib/net.js (setupListenHandle) when the server takes this handle. */
  onconnection?: (err: number, clientHandle: RawHandle) => void;
  /** A timer standing in for a ref'ed socket, so the worker's loop stays alive. */
  #keepAlive: NodeJS.Timeout | null = null;
  /** The primary's key; undefined once closed, which makes close() idempotent. */
  #key: string | undefined;
  /** Present only for TCP (the reply carried a sockname); pipes have none. */
  getsockname?: (out: object) => number;

  /**
   * @param key     the primary's key for this listener
   * @param sockname the primary's listening address, from the queryServer reply
   * @param onclose tells the primary and forgets the key (child.ts supplies it)
   */
  constructor(key: string, sockname: Sockname | undefined, readonly onclose: (key: string) => void) {
    this.#key = key;
    if (sockname !== undefined) {
      // server.address() in a worker reports the primary's socket: the real port.
      this.getsockname = (out: object): number => {
        if (this.#key !== undefined) Object.assign(out, sockname);
        return 0;
      };
    }
    this.ref();
  }

  /** net calls listen(backlog): the primary already listens. NODE: backlog ignored here too. */
  listen(_backlog?: number): number {
    return 0;
  }

  /**
   * lib/net.js treats `_handle.close()` as synchronous. The primary learns of
   * it only when our `close` message arrives, so a newconn may still be on
   * its way; child.ts refuses it (accepted: false) and the primary sends
   * that connection to another worker.
   */
  close(): void {
    if (this.#key === undefined) return;
    const key = this.#key;
    this.#key = undefined;
    this.unref();
    this.onclose(key);
  }

  /** NODE: PR #46161, a faux handle that did not keep the loop alive let idle workers exit. */
  ref(): void {
    this.#keepAlive ??= setInterval(noop, TIMEOUT_MAX);
  }

  unref(): void {
    if (this.#keepAlive !== null) clearInterval(this.#keepAlive);
    this.#keepAlive = null;
  }
}
