/**
 * The messages of the request/response layer as they travel over the IPC
 * channel, and the one function that tells them apart from everything else
 * a 'message' listener may receive.
 *
 * Mirrors: nothing — the pattern the course (docs/sources.md) builds by hand (its IPCManager and StateManager)
 * Read next: src/messaging/pending.ts (how a reply finds its request)
 *
 *   asker                                               answerer
 *     |-- {cmd:'mini-cluster:request', id:7, type, data} -->|  handler(data)
 *     |<-- {cmd:'mini-cluster:reply', id:7, ok:true, data} -|  (or ok:false, error)
 *   primary --{cmd:'mini-cluster:broadcast', type, data}--> every worker
 *   primary --{cmd:'mini-cluster:state', version, key, value}--> every worker that joined
 *   worker  --{cmd:'mini-cluster:joined', version}--> primary (its snapshot is in place)
 *
 * How ours stay apart from the rest:
 * - The engine's own messages (cmd 'NODE_MINI_CLUSTER', or 'NODE_CLUSTER'
 *   in node:cluster) never reach a 'message' listener: child_process diverts
 *   any cmd starting with 'NODE_' to 'internalMessage'. We could hide ours
 *   the same way, but 'internalMessage' is not public API, and node:cluster
 *   must work too; so ours are plain user messages.
 * - Every message of ours is an object whose `cmd` is one of the five exact
 *   strings below. The prefix 'mini-cluster:' is reserved (the supervisor's
 *   messages use it too): a user's listener skips ours with
 *   isMiniClusterMessage(), and a user's message without one of the five
 *   strings is never read by us, however much it looks like ours
 *   (`{type:'response', id}`, `{cmd:'reply', id}`, ...).
 * - A message with one of our cmds but a bad shape is counted, warned
 *   about and ignored: it cannot crash or confuse the receiver.
 */

export const PREFIX = 'mini-cluster:';
export const REQUEST = 'mini-cluster:request';
export const REPLY = 'mini-cluster:reply';
export const BROADCAST = 'mini-cluster:broadcast';
export const CHANGE = 'mini-cluster:state';
export const JOINED = 'mini-cluster:joined';

/** Request types the layer uses itself (shared state); user types may not start with the prefix. */
export const STATE_JOIN = 'mini-cluster:state.join';
export const STATE_SET = 'mini-cluster:state.set';
export const STATE_DELETE = 'mini-cluster:state.delete';
export const STATE_INCREMENT = 'mini-cluster:state.increment';

/** An error as it crosses the channel: an Error object would arrive as `{}` (JSON keeps no own non-enumerable fields). */
export interface WireError { name: string; message: string; code?: string }

export interface RequestMessage { cmd: typeof REQUEST; id: number; type: string; data?: unknown }
export type ReplyMessage =
  | { cmd: typeof REPLY; id: number; ok: true; data?: unknown }
  | { cmd: typeof REPLY; id: number; ok: false; error: WireError };
export interface BroadcastMessage { cmd: typeof BROADCAST; type: string; data?: unknown }
/** One change of the shared state; `version` counts every change the primary ever applied. */
export interface ChangeMessage { cmd: typeof CHANGE; version: number; key: string; value?: unknown; deleted?: boolean }
export interface JoinedMessage { cmd: typeof JOINED; version: number }
export type Message = RequestMessage | ReplyMessage | BroadcastMessage | ChangeMessage | JoinedMessage;

/** The shared state as a worker receives it when it joins. */
export interface Snapshot { version: number; entries: [string, unknown][] }

/** What a receiver makes of anything that arrived on 'message'. */
export type Parsed =
  | { kind: 'ours'; message: Message }
  | { kind: 'malformed'; problem: string }
  | { kind: 'foreign' };

/** Longest request or broadcast type we accept; a type is a name, not a payload. */
export const MAX_TYPE_LENGTH = 200;

const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const isType = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_TYPE_LENGTH;
const isVersion = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * Ours (and well formed), ours but broken, or someone else's. Only the exact
 * `cmd` makes a message ours; the other fields are then checked, so a
 * broken one is refused here rather than failing deeper in.
 */
export function parse(message: unknown): Parsed {
  if (typeof message !== 'object' || message === null) return { kind: 'foreign' };
  const m = message as Record<string, unknown>;
  const bad = (problem: string): Parsed => ({ kind: 'malformed', problem: `${String(m.cmd)}: ${problem}` });
  switch (m.cmd) {
    case REQUEST:
      if (!isId(m.id)) return bad('id is not a positive integer');
      if (!isType(m.type)) return bad(`type is not a string of 1 to ${MAX_TYPE_LENGTH} characters`);
      return { kind: 'ours', message: m as unknown as RequestMessage };
    case REPLY:
      if (!isId(m.id)) return bad('id is not a positive integer');
      if (m.ok === true) return { kind: 'ours', message: m as unknown as ReplyMessage };
      if (m.ok !== false) return bad('ok is neither true nor false');
      if (typeof m.error !== 'object' || m.error === null || typeof (m.error as WireError).message !== 'string') return bad('error has no message');
      return { kind: 'ours', message: m as unknown as ReplyMessage };
    case BROADCAST:
      if (!isType(m.type)) return bad(`type is not a string of 1 to ${MAX_TYPE_LENGTH} characters`);
      return { kind: 'ours', message: m as unknown as BroadcastMessage };
    case CHANGE:
      if (!isVersion(m.version)) return bad('version is not a whole number');
      if (typeof m.key !== 'string') return bad('key is not a string');
      return { kind: 'ours', message: m as unknown as ChangeMessage };
    case JOINED:
      if (!isVersion(m.version)) return bad('version is not a whole number');
      return { kind: 'ours', message: m as unknown as JoinedMessage };
    default:
      return { kind: 'foreign' };
  }
}

/**
 * True for any message mini-cluster's helpers send as a user message (this
 * layer's and the supervisor's): a user's own 'message' listener calls this
 * first and returns, as Node's internals are kept apart by their 'NODE_' prefix.
 */
export function isMiniClusterMessage(message: unknown): boolean {
  const cmd = (message as { cmd?: unknown } | null)?.cmd;
  return typeof message === 'object' && message !== null && typeof cmd === 'string' && cmd.startsWith(PREFIX);
}

/** null if `type` may name a user's request or broadcast, else why not. */
export function checkUserType(type: unknown): string | null {
  if (!isType(type)) return `a type must be a string of 1 to ${MAX_TYPE_LENGTH} characters, got ${describe(type)}`;
  if (type.startsWith(PREFIX)) return `types starting with '${PREFIX}' are reserved for mini-cluster, got '${type}'`;
  return null;
}

/** A short, safe rendering of any value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null || typeof value !== 'object') return String(value);
  return 'an object';
}

/** An Error (or anything thrown) as it can cross the channel. */
export function toWire(error: unknown): WireError {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: `a non-Error was thrown: ${describe(error)}` };
}
