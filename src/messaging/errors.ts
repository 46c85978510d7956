/**
 * The one error a request rejects with. Its message names the request (type,
 * id, who was asked) and says what happened, so a log line is enough to find
 * the call; `code` says the same for programs.
 *
 * Mirrors: nothing — the pattern the course (docs/sources.md) builds by hand (its `请求超时: ${type}` error)
 * Read next: src/messaging/pending.ts (who creates these)
 *
 *   request "price" #3 to worker 2 timed out after 100 ms              ERR_REQUEST_TIMEOUT
 *   request "price" #3 to worker 2 failed: worker 2 exited (SIGKILL)   ERR_PEER_GONE
 *   request "price" #3 to the primary failed: Error: out of stock      ERR_HANDLER_FAILED
 */
import type { WireError } from './protocol.ts';

export type RequestErrorCode =
  /** No reply within timeoutMs. */
  | 'ERR_REQUEST_TIMEOUT'
  /** The other side exited or disconnected before replying (or before we could send). */
  | 'ERR_PEER_GONE'
  /** The other side has no handler for this type. */
  | 'ERR_NO_HANDLER'
  /** The handler threw or rejected; `remote` is what it threw. */
  | 'ERR_HANDLER_FAILED'
  /** send() refused the message: data that cannot be serialised, a handle of a kind IPC cannot carry. */
  | 'ERR_SEND_FAILED'
  /** Bad arguments: the request was never sent. */
  | 'ERR_INVALID_REQUEST'
  /** The hub or link was closed while the request waited. */
  | 'ERR_CLOSED';

/** Which request an error is about. `id` is 0 when the request was refused before it got one. */
export interface RequestInfo { id: number; type: string; target: string }

export class RequestError extends Error {
  override readonly name = 'RequestError';
  readonly code: RequestErrorCode;
  readonly request: RequestInfo;
  /** For ERR_HANDLER_FAILED and ERR_NO_HANDLER: the error as the other side reported it. */
  readonly remote?: WireError;

  constructor(code: RequestErrorCode, request: RequestInfo, what: string, remote?: WireError) {
    super(`request "${request.type}"${request.id > 0 ? ` #${request.id}` : ''} to ${request.target} ${what}`);
    this.code = code;
    this.request = request;
    if (remote !== undefined) this.remote = remote;
  }
}
