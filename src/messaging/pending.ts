/**
 * The table of requests waiting for a reply: it hands out ids, arms each
 * request's timer, matches a reply to its request by id *and* by who sent
 * it, rejects everything owed by a peer that left, and counts the replies
 * that match nothing instead of failing on them.
 *
 * Mirrors: nothing — the pattern the course (docs/sources.md) builds by hand (its `responseCallbacks` Map)
 * Read next: src/messaging/endpoint.ts (who sends the requests and feeds the replies)
 *
 *   open(worker 2, "price", 100 ms) => id 7, timer armed
 *   reply id 7 from worker 2  => resolve, timer cleared          'matched'
 *   reply id 7 again, or after the timeout                       'late'     (counted, ignored)
 *   reply id 7 from worker 3, or id 99 never issued              'unknown'  (counted, ignored)
 *   worker 2 exits            => every request it owes rejects now, not at its timeout
 */
import { RequestError, type RequestErrorCode } from './errors.ts';
import type { ReplyMessage } from './protocol.ts';

/** Who a request went to: `key` is the worker id on the primary's side, 0 for the primary. */
export interface PeerRef { readonly key: number; readonly label: string }

interface Entry {
  readonly id: number;
  readonly type: string;
  readonly peer: PeerRef;
  readonly timer: ReturnType<typeof setTimeout>;
  /** Runs synchronously with the reply's data, before the promise resolves (see StateReplica). */
  readonly onData: ((data: unknown) => unknown) | undefined;
  resolve(value: unknown): void;
  reject(error: RequestError): void;
}

export interface PendingCounts {
  /** Requests opened so far. */
  requests: number;
  /** Waiting for a reply right now. */
  pending: number;
  timedOut: number;
  /** Rejected at once because the peer exited or disconnected. */
  peerGone: number;
  /** Replies to a request that had already timed out, been answered, or been rejected. */
  late: number;
  /** Replies to an id never issued here, or from a peer other than the one asked. */
  unknown: number;
}

export class PendingRequests {
  /** Ids start at 1 and only grow: an id below #next was issued, so a reply to it that finds nothing is late. */
  #next = 1;
  readonly #waiting = new Map<number, Entry>();
  readonly #counts = { requests: 0, timedOut: 0, peerGone: 0, late: 0, unknown: 0 };

  /**
   * Register a request before it is sent (a reply can then never come
   * "too early"), and return its id and the promise the caller awaits.
   */
  open<T>(peer: PeerRef, type: string, timeoutMs: number, onData?: (data: unknown) => T): { id: number; promise: Promise<T> } {
    const id = this.#next++;
    this.#counts.requests++;
    const promise = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.#waiting.get(id) !== entry) return;
        this.#waiting.delete(id);
        this.#counts.timedOut++;
        reject(new RequestError('ERR_REQUEST_TIMEOUT', { id, type, target: peer.label }, `timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      // A pending request must not keep a process alive by itself: the IPC
      // channel does that while it is open, and when it closes we reject anyway.
      (timer as { unref?: () => void }).unref?.();
      const entry: Entry = { id, type, peer, timer, onData, resolve: resolve as (value: unknown) => void, reject };
      this.#waiting.set(id, entry);
    });
    return { id, promise };
  }

  /** Feed a reply from `from`. Never throws: a reply that matches nothing is only counted. */
  settle(from: PeerRef, reply: ReplyMessage): 'matched' | 'late' | 'unknown' {
    const entry = this.#waiting.get(reply.id);
    if (entry === undefined || entry.peer.key !== from.key) {
      // An id from another peer is not late for that peer: it is not a reply to anything it was asked.
      const issued = entry === undefined && reply.id < this.#next;
      issued ? this.#counts.late++ : this.#counts.unknown++;
      return issued ? 'late' : 'unknown';
    }
    this.#forget(entry);
    const info = { id: entry.id, type: entry.type, target: entry.peer.label };
    if (!reply.ok) {
      const remote = reply.error;
      const code: RequestErrorCode = remote.code === 'ERR_NO_HANDLER' ? 'ERR_NO_HANDLER' : 'ERR_HANDLER_FAILED';
      const what = code === 'ERR_NO_HANDLER' ? `failed: ${remote.message}` : `failed: ${remote.name}: ${remote.message}`;
      entry.reject(new RequestError(code, info, what, remote));
      return 'matched';
    }
    try {
      entry.resolve(entry.onData ? entry.onData(reply.data) : reply.data);
    } catch (error) {
      entry.reject(new RequestError('ERR_HANDLER_FAILED', info, `failed: the reply was unusable: ${(error as Error).message}`));
    }
    return 'matched';
  }

  /** Reject one request that could not be sent (send() threw or called back with an error). */
  fail(id: number, code: RequestErrorCode, what: string): void {
    const entry = this.#waiting.get(id);
    if (entry === undefined) return;
    this.#forget(entry);
    if (code === 'ERR_PEER_GONE') this.#counts.peerGone++;
    entry.reject(new RequestError(code, { id, type: entry.type, target: entry.peer.label }, what));
  }

  /** Reject, now, every request owed by the peer with this key (it exited or disconnected). */
  dropPeer(key: number, what: string, code: RequestErrorCode = 'ERR_PEER_GONE'): number {
    let dropped = 0;
    for (const entry of [...this.#waiting.values()]) {
      if (entry.peer.key !== key) continue;
      this.fail(entry.id, code, what);
      dropped++;
    }
    return dropped;
  }

  /** Reject everything still waiting (the hub or link is closing). */
  dropAll(what: string): void {
    for (const entry of [...this.#waiting.values()]) this.fail(entry.id, 'ERR_CLOSED', what);
  }

  counts(): PendingCounts {
    return { ...this.#counts, pending: this.#waiting.size };
  }

  #forget(entry: Entry): void {
    clearTimeout(entry.timer);
    this.#waiting.delete(entry.id);
  }
}
